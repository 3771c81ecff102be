package org.qubicle.driver.seccomp;

import java.util.Map;
import java.util.TreeMap;

/**
 * The seccomp filter every qube process runs under, generated here as classic BPF and
 * handed to bubblewrap ({@code --seccomp FD} reads the raw {@code sock_filter} array).
 *
 * <p>It is a deny list on top of the user namespace: the kernel already refuses most of
 * these to a namespaced root, and the filter closes what namespaces do not cover
 * (keyrings, BPF, perf, userfaultfd, the mount API, nested user namespaces, io_uring,
 * terminal injection, file handles). Denied calls fail with {@code EPERM}, except
 * {@code clone3}, which fails with {@code ENOSYS} so that libc falls back to {@code clone},
 * whose flags the filter can see. Any architecture other than x86-64, and x32 calls, kill
 * the process.
 */
public final class SeccompFilter {
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int RET_ALLOW = 0x7FFF0000;
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final int CLONE_NEWUSER = 0x10000000;
    static final int S_IFMT = 0170000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int TIOCSTI = 0x5412;
    static final int TIOCLINUX = 0x541C;

    /** Offsets in {@code struct seccomp_data}. */
    private static final int NR = 0;
    private static final int ARCH = 4;

    private static int arg(int i) {
        return 16 + 8 * i; // low 32 bits (little-endian) of args[i]
    }

    /** x86-64 system calls that always fail with EPERM, by name (for docs and tests). */
    public static final Map<String, Integer> DENIED;

    static {
        Map<String, Integer> m = new TreeMap<>();
        m.put("keyctl", 250);
        m.put("add_key", 248);
        m.put("request_key", 249);
        m.put("bpf", 321);
        m.put("perf_event_open", 298);
        m.put("userfaultfd", 323);
        m.put("kexec_load", 246);
        m.put("kexec_file_load", 320);
        m.put("init_module", 175);
        m.put("finit_module", 313);
        m.put("delete_module", 176);
        m.put("mount", 165);
        m.put("umount2", 166);
        m.put("pivot_root", 155);
        m.put("open_tree", 428);
        m.put("move_mount", 429);
        m.put("fsopen", 430);
        m.put("fsconfig", 431);
        m.put("fsmount", 432);
        m.put("fspick", 433);
        m.put("mount_setattr", 442);
        m.put("settimeofday", 164);
        m.put("clock_settime", 227);
        m.put("adjtimex", 159);
        m.put("clock_adjtime", 305);
        m.put("swapon", 167);
        m.put("swapoff", 168);
        m.put("reboot", 169);
        m.put("iopl", 172);
        m.put("ioperm", 173);
        m.put("acct", 163);
        m.put("quotactl", 179);
        m.put("quotactl_fd", 443);
        m.put("lookup_dcookie", 212);
        m.put("vhangup", 153);
        m.put("uselib", 134);
        m.put("_sysctl", 156);
        m.put("syslog", 103);
        m.put("setns", 308);
        m.put("open_by_handle_at", 304);
        m.put("name_to_handle_at", 303);
        m.put("io_uring_setup", 425);
        m.put("io_uring_enter", 426);
        m.put("io_uring_register", 427);
        m.put("chroot", 161);
        DENIED = java.util.Collections.unmodifiableMap(m);
    }

    static final int SYS_IOCTL = 16;
    static final int SYS_CLONE = 56;
    static final int SYS_MKNOD = 133;
    static final int SYS_PERSONALITY = 135;
    static final int SYS_MKNODAT = 259;
    static final int SYS_UNSHARE = 272;
    static final int SYS_CLONE3 = 435;

    private SeccompFilter() {
    }

    /** The compiled program: {@code n * 8} bytes of {@code struct sock_filter}. */
    public static byte[] compile() {
        Bpf b = new Bpf();
        b.load(ARCH).jump(Bpf.JEQ_K, AUDIT_ARCH_X86_64, null, "kill");
        b.load(NR).jump(Bpf.JGE_K, X32_SYSCALL_BIT, "kill", null);
        for (int nr : DENIED.values()) {
            b.jump(Bpf.JEQ_K, nr, "eperm", null);
        }
        b.jump(Bpf.JEQ_K, SYS_CLONE3, "enosys", null);
        b.jump(Bpf.JEQ_K, SYS_CLONE, "flags0", null);
        b.jump(Bpf.JEQ_K, SYS_UNSHARE, "flags0", null);
        b.jump(Bpf.JEQ_K, SYS_MKNOD, "mode1", null);
        b.jump(Bpf.JEQ_K, SYS_MKNODAT, "mode2", null);
        b.jump(Bpf.JEQ_K, SYS_IOCTL, "ioctl", null);
        b.jump(Bpf.JEQ_K, SYS_PERSONALITY, "personality", null);
        b.ret(RET_ALLOW);
        // clone(flags, ...) and unshare(flags): no new user namespace.
        b.label("flags0").load(arg(0)).jump(Bpf.JSET_K, CLONE_NEWUSER, "eperm", "allow");
        // mknod(path, mode, dev) / mknodat(dirfd, path, mode, dev): fifos and sockets only.
        b.label("mode1").load(arg(1)).jump(Bpf.JEQ_K, 0, "devcheck", "devcheck");
        b.label("mode2").load(arg(2));
        b.label("devcheck").and(S_IFMT).jump(Bpf.JEQ_K, S_IFCHR, "eperm", null)
                .jump(Bpf.JEQ_K, S_IFBLK, "eperm", "allow");
        // ioctl(fd, cmd): no typing into another process's terminal.
        b.label("ioctl").load(arg(1)).jump(Bpf.JEQ_K, TIOCSTI, "eperm", null)
                .jump(Bpf.JEQ_K, TIOCLINUX, "eperm", "allow");
        // personality(persona): only the query and plain Linux (READ_IMPLIES_EXEC and
        // ADDR_NO_RANDOMIZE would weaken the qube's own exploit mitigations).
        b.label("personality").load(arg(0)).jump(Bpf.JEQ_K, 0xFFFFFFFF, "allow", null)
                .jump(Bpf.JEQ_K, 0, "allow", null).jump(Bpf.JEQ_K, 8, "allow", "eperm");
        b.label("allow").ret(RET_ALLOW);
        b.label("eperm").ret(RET_ERRNO | EPERM);
        b.label("enosys").ret(RET_ERRNO | ENOSYS);
        b.label("kill").ret(RET_KILL_PROCESS);
        return b.assemble();
    }
}
