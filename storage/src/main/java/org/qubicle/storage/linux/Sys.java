package org.qubicle.storage.linux;

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
 * The libc entry points this package calls, bound once through the foreign function API,
 * each capturing errno. Only this class touches method handles; the public classes turn a
 * failed call into a {@link SyscallException} with the operation and strerror's text.
 * x86_64 and aarch64 (the raw syscall numbers below are the same on both).
 */
final class Sys {
    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_DIRECTORY = 0x10000;
    static final int O_CLOEXEC = 0x80000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENXIO = 6;
    static final int EBUSY = 16;
    static final int EXDEV = 18;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(INT, PTR, INT, INT), 2);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(INT, INT), -1);
    private static final MethodHandle IOCTL = bind("ioctl", FunctionDescriptor.of(INT, INT, LONG, LONG), 2);
    private static final MethodHandle IOCTL_PTR = bind("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR), 2);
    private static final MethodHandle MOUNT = bind("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR), -1);
    private static final MethodHandle UMOUNT2 = bind("umount2", FunctionDescriptor.of(INT, PTR, INT), -1);
    private static final MethodHandle SYNCFS = bind("syncfs", FunctionDescriptor.of(INT, INT), -1);
    private static final MethodHandle LSEEK = bind("lseek", FunctionDescriptor.of(LONG, INT, LONG, INT), -1);
    private static final MethodHandle FTRUNCATE = bind("ftruncate", FunctionDescriptor.of(INT, INT, LONG), -1);
    private static final MethodHandle COPY_FILE_RANGE = bind("copy_file_range",
            FunctionDescriptor.of(LONG, INT, PTR, INT, PTR, LONG, INT), -1);
    private static final MethodHandle STATX = bind("statx", FunctionDescriptor.of(INT, INT, PTR, INT, INT, PTR), -1);
    private static final MethodHandle SYSCALL5 = bind("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, PTR, LONG, PTR, LONG), 1);
    private static final MethodHandle SYSCALL4 = bind("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, PTR, LONG, LONG), 1);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(PTR, INT));

    private Sys() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc lacks " + name));
        return firstVariadic < 0
                ? LINKER.downcallHandle(sym, fd, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(sym, fd, Linker.Option.firstVariadicArg(firstVariadic),
                        Linker.Option.captureCallState("errno"));
    }

    /** errno's text, as strerror(3) gives it. */
    static String strerror(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** One call's scratch memory and errno slot; close it after reading the result. */
    static final class Call implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment state = arena.allocate(STATE);

        int errno() {
            return (int) ERRNO.get(state, 0L);
        }

        MemorySegment str(String s) {
            return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
        }

        SyscallException fail(String what) {
            return new SyscallException(what, errno());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    static int open(Call c, String path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(c.state, c.str(path), flags, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Opens or fails with the path and strerror. */
    static int openOrFail(String path, int flags, int mode) {
        try (Call c = new Call()) {
            int fd = open(c, path, flags | O_CLOEXEC, mode);
            if (fd < 0) {
                throw c.fail("open " + path);
            }
            return fd;
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Call c = new Call()) {
            int ignored = (int) CLOSE.invokeExact(c.state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ioctl(Call c, int fd, long request, long arg) {
        try {
            return (int) IOCTL.invokeExact(c.state, fd, request, arg);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ioctl(Call c, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(c.state, fd, request, arg);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int mount(Call c, String source, String target, String type, long flags, String data) {
        try {
            return (int) MOUNT.invokeExact(c.state, c.str(source), c.str(target), c.str(type), flags, c.str(data));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int umount2(Call c, String target, int flags) {
        try {
            return (int) UMOUNT2.invokeExact(c.state, c.str(target), flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int syncfs(Call c, int fd) {
        try {
            return (int) SYNCFS.invokeExact(c.state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long lseek(Call c, int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(c.state, fd, offset, whence);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ftruncate(Call c, int fd, long length) {
        try {
            return (int) FTRUNCATE.invokeExact(c.state, fd, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long copyFileRange(Call c, int in, MemorySegment offIn, int out, MemorySegment offOut, long len) {
        try {
            return (long) COPY_FILE_RANGE.invokeExact(c.state, in, offIn, out, offOut, len, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int statx(Call c, String path, int flags, int mask, MemorySegment buf) {
        try {
            return (int) STATX.invokeExact(c.state, -100 /* AT_FDCWD */, c.str(path), flags, mask, buf);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long syscall5(Call c, long nr, long a, MemorySegment b, long d, MemorySegment e, long f) {
        try {
            return (long) SYSCALL5.invokeExact(c.state, nr, a, b, d, e, f);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long syscall4(Call c, long nr, long a, MemorySegment b, long d, long e) {
        try {
            return (long) SYSCALL4.invokeExact(c.state, nr, a, b, d, e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static IllegalStateException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
