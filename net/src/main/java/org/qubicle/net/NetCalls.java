package org.qubicle.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls {@link NetNs} needs, through the foreign function API: {@code unshare},
 * {@code setns}, {@code mount}, {@code umount2}, {@code open}, {@code close}, {@code socket}
 * and {@code ioctl}. Each returns its result, or throws {@link NetException} naming the
 * call and {@code strerror(errno)}. x86_64 and aarch64 Linux.
 */
final class NetCalls {
    static final int CLONE_NEWNET = 0x40000000;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_SHARED = 1 << 20;
    static final int MNT_DETACH = 2;
    static final int O_RDONLY = 0;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_CLOEXEC = 02000000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final short IFF_UP = 1;
    static final int EINVAL = 22;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle UNSHARE = handle("unshare", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle SETNS = handle("setns", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle MOUNT = handle("mount", FunctionDescriptor.of(INT, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 = handle("umount2", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT), Linker.Option.firstVariadicArg(2), ERRNO_CAPTURE);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(INT, INT));
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(INT, INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2), ERRNO_CAPTURE);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS, INT));

    private NetCalls() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, ERRNO_CAPTURE);
    }

    static void unshare(int flags) {
        check("unshare", call(st -> (int) UNSHARE.invokeExact(st, flags)));
    }

    static void setns(int fd, int type) {
        check("setns", call(st -> (int) SETNS.invokeExact(st, fd, type)));
    }

    static void mount(String source, String target, String type, long flags) {
        int errno = tryMount(source, target, type, flags);
        if (errno != 0) {
            throw new NetException("mount " + target + ": " + strerror(errno));
        }
    }

    /** {@code mount(2)}: 0, or the errno it failed with. */
    static int tryMount(String source, String target, String type, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocateFrom(source);
            MemorySegment dst = a.allocateFrom(target);
            MemorySegment t = type == null ? MemorySegment.NULL : a.allocateFrom(type);
            long rc = call(st -> (int) MOUNT.invokeExact(st, src, dst, t, flags, MemorySegment.NULL));
            return rc < 0 ? (int) -rc : 0;
        }
    }

    static void umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocateFrom(target);
            check("umount " + target, call(st -> (int) UMOUNT2.invokeExact(st, t, flags)));
        }
    }

    static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            return check("open " + path, call(st -> (int) OPEN.invokeExact(st, p, flags, mode)));
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(2)", t);
        }
    }

    static int socket(int domain, int type) {
        return check("socket", call(st -> (int) SOCKET.invokeExact(st, domain, type, 0)));
    }

    /** Sets IFF_UP on interface {@code name}, through a socket of the calling thread's namespace. */
    static void linkUp(String name) {
        int s = socket(AF_INET, SOCK_DGRAM | O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifreq = a.allocate(40); // struct ifreq: char[16] name, then the flags union
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (n.length > 15) {
                throw new NetException("interface name too long: " + name);
            }
            MemorySegment.copy(n, 0, ifreq, ValueLayout.JAVA_BYTE, 0, n.length);
            check("SIOCGIFFLAGS " + name, call(st -> (int) IOCTL.invokeExact(st, s, SIOCGIFFLAGS, ifreq)));
            short flags = ifreq.get(ValueLayout.JAVA_SHORT_UNALIGNED, 16);
            ifreq.set(ValueLayout.JAVA_SHORT_UNALIGNED, 16, (short) (flags | IFF_UP));
            check("SIOCSIFFLAGS " + name, call(st -> (int) IOCTL.invokeExact(st, s, SIOCSIFFLAGS, ifreq)));
        } finally {
            close(s);
        }
    }

    private interface Call {
        int invoke(MemorySegment state) throws Throwable;
    }

    /** Runs a call; returns its result, or {@code -errno} if it returned -1. */
    private static long call(Call c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            int rc = c.invoke(st);
            return rc == -1 ? -(int) ERRNO.get(st, 0L) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static int check(String what, long rc) {
        if (rc < 0) {
            throw new NetException(what + ": " + strerror((int) -rc));
        }
        return (int) rc;
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
