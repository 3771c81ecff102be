package org.qubicle.daemon.storage;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few Linux calls Java lacks, through the foreign function API: the new mount API
 * ({@code open_tree}, {@code mount_setattr}, {@code move_mount}) for idmapped mounts, and
 * {@code open}/{@code close} for namespace file descriptors. x86_64 and aarch64 only.
 */
final class Syscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    // The new mount API has these numbers on x86_64 and on every architecture of the unified table.
    static final long SYS_OPEN_TREE = 428;
    static final long SYS_MOVE_MOUNT = 429;
    static final long SYS_MOUNT_SETATTR = 442;

    static final int AT_FDCWD = -100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_RECURSIVE = 0x8000;
    static final int OPEN_TREE_CLONE = 1;
    static final int O_CLOEXEC = 0x80000;
    static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    static final long MOUNT_ATTR_RDONLY = 0x1;
    static final long MOUNT_ATTR_NOSUID = 0x2;
    static final long MOUNT_ATTR_NODEV = 0x4;
    static final long MOUNT_ATTR_IDMAP = 0x100000;

    private static final MethodHandle SYSCALL4 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle SYSCALL5 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Syscalls() {
    }

    /** A failed call: the operation and errno's text. */
    static final class Failure extends RuntimeException {
        final int errno;

        Failure(String what, int errno) {
            super(what + ": " + strerror(errno));
            this.errno = errno;
        }
    }

    private static String strerror(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** {@code open(path, O_RDONLY|O_CLOEXEC)}. */
    static int openReadOnly(Path path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path.toString()), O_CLOEXEC);
            if (fd < 0) {
                throw new Failure("open " + path, (int) ERRNO.get(state, 0L));
            }
            return fd;
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Binds {@code source} (a mount's root) at {@code target} as a new mount whose file
     * owners are shifted through the user namespace {@code usernsFd}: on-disk uid 0 shows as
     * that namespace's root on the host.
     */
    static void bindIdmapped(Path source, Path target, int usernsFd, boolean readOnly) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            long fd = (long) SYSCALL4.invokeExact(state, SYS_OPEN_TREE, (long) AT_FDCWD,
                    a.allocateFrom(source.toString()), (long) (OPEN_TREE_CLONE | O_CLOEXEC), 0L);
            if (fd < 0) {
                throw new Failure("open_tree " + source, (int) ERRNO.get(state, 0L));
            }
            try {
                // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
                MemorySegment attr = a.allocate(32, 8);
                attr.set(ValueLayout.JAVA_LONG, 0, MOUNT_ATTR_IDMAP | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID
                        | (readOnly ? MOUNT_ATTR_RDONLY : 0));
                attr.set(ValueLayout.JAVA_LONG, 24, usernsFd);
                long r = (long) SYSCALL5.invokeExact(state, SYS_MOUNT_SETATTR, fd, a.allocateFrom(""),
                        (long) AT_EMPTY_PATH, attr, 32L);
                if (r < 0) {
                    throw new Failure("mount_setattr (idmap) " + source, (int) ERRNO.get(state, 0L));
                }
                r = (long) SYSCALL5.invokeExact(state, SYS_MOVE_MOUNT, fd, a.allocateFrom(""),
                        (long) AT_FDCWD, a.allocateFrom(target.toString()), (long) MOVE_MOUNT_F_EMPTY_PATH);
                if (r < 0) {
                    throw new Failure("move_mount to " + target, (int) ERRNO.get(state, 0L));
                }
            } finally {
                close((int) fd);
            }
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
