package org.qubicle.driver.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny classic-BPF assembler with forward labels. Each instruction is a
 * {@code struct sock_filter}, 8 bytes, little-endian:
 * <pre>
 *  0      2    3    4          8
 *  +------+----+----+----------+
 *  | code | jt | jf |    k     |
 *  +------+----+----+----------+
 * </pre>
 * Conditional jumps are relative and at most 255 forward.
 */
final class Bpf {
    static final int LD_W_ABS = 0x20;   // BPF_LD | BPF_W | BPF_ABS
    static final int JEQ_K = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    static final int JGE_K = 0x35;      // BPF_JMP | BPF_JGE | BPF_K
    static final int JSET_K = 0x45;     // BPF_JMP | BPF_JSET | BPF_K
    static final int AND_K = 0x54;      // BPF_ALU | BPF_AND | BPF_K
    static final int RET_K = 0x06;      // BPF_RET | BPF_K

    private record Insn(int code, String jt, String jf, int k) {
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    Bpf load(int offset) {
        insns.add(new Insn(LD_W_ABS, null, null, offset));
        return this;
    }

    Bpf and(int k) {
        insns.add(new Insn(AND_K, null, null, k));
        return this;
    }

    /** Jump to {@code jt} when the test holds, else to {@code jf}; null means "next". */
    Bpf jump(int code, int k, String jt, String jf) {
        insns.add(new Insn(code, jt, jf, k));
        return this;
    }

    Bpf ret(int k) {
        insns.add(new Insn(RET_K, null, null, k));
        return this;
    }

    Bpf label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalStateException("duplicate label " + name);
        }
        return this;
    }

    int size() {
        return insns.size();
    }

    byte[] assemble() {
        ByteBuffer out = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < insns.size(); i++) {
            Insn in = insns.get(i);
            out.putShort((short) in.code());
            out.put((byte) offset(i, in.jt()));
            out.put((byte) offset(i, in.jf()));
            out.putInt(in.k());
        }
        return out.array();
    }

    private int offset(int at, String label) {
        if (label == null) {
            return 0;
        }
        Integer target = labels.get(label);
        if (target == null) {
            throw new IllegalStateException("undefined label " + label);
        }
        int off = target - at - 1;
        if (off < 0 || off > 255) {
            throw new IllegalStateException("jump out of range to " + label + ": " + off);
        }
        return off;
    }
}
