package org.qubicle.driver.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Runs the generated BPF program through a small interpreter of the opcodes it uses. */
class SeccompFilterTest {
    private static final int ALLOW = SeccompFilter.RET_ALLOW;
    private static final int EPERM = SeccompFilter.RET_ERRNO | 1;
    private static final int ENOSYS = SeccompFilter.RET_ERRNO | 38;
    private static final int KILL = SeccompFilter.RET_KILL_PROCESS;
    private static final int X86_64 = SeccompFilter.AUDIT_ARCH_X86_64;

    /** Evaluates the filter on {@code struct seccomp_data}. */
    static int eval(byte[] prog, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch);
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.LITTLE_ENDIAN);
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            int code = p.getShort(pc * 8) & 0xFFFF;
            int jt = p.get(pc * 8 + 2) & 0xFF;
            int jf = p.get(pc * 8 + 3) & 0xFF;
            int k = p.getInt(pc * 8 + 4);
            switch (code) {
                case Bpf.LD_W_ABS -> acc = data.getInt(k);
                case Bpf.AND_K -> acc &= k;
                case Bpf.RET_K -> {
                    return k;
                }
                case Bpf.JEQ_K -> pc += acc == k ? jt : jf;
                case Bpf.JGE_K -> pc += Integer.compareUnsigned(acc, k) >= 0 ? jt : jf;
                case Bpf.JSET_K -> pc += (acc & k) != 0 ? jt : jf;
                default -> throw new AssertionError("unknown opcode " + code);
            }
            pc++;
        }
        throw new AssertionError("no return");
    }

    private final byte[] prog = SeccompFilter.compile();

    @Test
    void isWholeInstructionsAndWithinKernelLimit() {
        assertEquals(0, prog.length % 8);
        assertEquals(true, prog.length / 8 < 4096);
    }

    @Test
    void everyDeniedCallFailsWithEperm() {
        SeccompFilter.DENIED.forEach((name, nr) -> assertEquals(EPERM, eval(prog, X86_64, nr), name));
    }

    @Test
    void ordinaryCallsPass() {
        for (int nr : new int[] {0, 1, 2, 3, 9, 39, 57, 59, 60, 61, 62, 101, 231, 257}) {
            assertEquals(ALLOW, eval(prog, X86_64, nr), "syscall " + nr);
        }
    }

    @Test
    void otherArchitecturesAndX32AreKilled() {
        assertEquals(KILL, eval(prog, 0x40000003 /* i386 */, 1));
        assertEquals(KILL, eval(prog, X86_64, 0x40000000 | 1));
    }

    @Test
    void newUserNamespacesAreRefusedOtherClonesPass() {
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_UNSHARE, SeccompFilter.CLONE_NEWUSER));
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_CLONE, SeccompFilter.CLONE_NEWUSER | 17));
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_CLONE, 0x01200011)); // fork-like
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_UNSHARE, 0x00020000)); // CLONE_NEWNS
        assertEquals(ENOSYS, eval(prog, X86_64, SeccompFilter.SYS_CLONE3, 0));
    }

    @Test
    void deviceNodesAreRefusedFifosPass() {
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_MKNOD, 0, 0020600));
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_MKNOD, 0, 0060600));
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_MKNOD, 0, 0010600));
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_MKNODAT, -100, 0, 0020600));
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_MKNODAT, -100, 0, 0140600));
    }

    @Test
    void terminalInjectionAndPersonalityTricksAreRefused() {
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_IOCTL, 0, SeccompFilter.TIOCSTI));
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_IOCTL, 0, SeccompFilter.TIOCLINUX));
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_IOCTL, 0, 0x5401)); // TCGETS
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_PERSONALITY, 0xFFFFFFFFL));
        assertEquals(ALLOW, eval(prog, X86_64, SeccompFilter.SYS_PERSONALITY, 0));
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_PERSONALITY, 0x0400000)); // READ_IMPLIES_EXEC
        assertEquals(EPERM, eval(prog, X86_64, SeccompFilter.SYS_PERSONALITY, 0x0040000)); // ADDR_NO_RANDOMIZE
    }
}
