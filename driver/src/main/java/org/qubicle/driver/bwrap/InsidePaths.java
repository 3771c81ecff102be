package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.qubicle.driver.FileKind;
import org.qubicle.driver.FoundPath;
import org.qubicle.driver.SocketConnect;

/**
 * Paths inside a running qube, opened by the daemon as the qube sees them and without a
 * process in the qube. The qube's root is {@code /proc/PID1/root} (its mount namespace
 * included); {@code openat2(2)} with {@code RESOLVE_IN_ROOT} resolves every component
 * inside it, so an absolute symlink or {@code ..} planted by the qube stays in the qube
 * instead of reaching the host's files, and {@code O_PATH|O_NOFOLLOW} leaves a final symlink
 * unfollowed. The file is then used through {@code /proc/self/fd/N} of that descriptor:
 * a socket is connected, a regular file reopened for reading.
 */
final class InsidePaths {
    private static final int O_PATH = 010000000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final long SYS_OPENAT2 = 437;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1;
    private static final long STX_MODE = 28;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle OPENAT2 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle STATX = LINKER.downcallHandle(LINKER.defaultLookup().find("statx").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private InsidePaths() {
    }

    static Optional<FoundPath> lookupFirst(long pid1, List<String> paths) throws IOException {
        int root = openRoot(pid1);
        try {
            for (String path : paths) {
                int fd = open(root, path);
                if (fd >= 0) {
                    try {
                        return Optional.of(new FoundPath(path, kind(fd, path)));
                    } finally {
                        close(fd);
                    }
                }
            }
            return Optional.empty();
        } finally {
            close(root);
        }
    }

    static Optional<byte[]> readFirst(long pid1, List<String> paths, int max) throws IOException {
        int root = openRoot(pid1);
        try {
            for (String path : paths) {
                int fd = open(root, path);
                if (fd < 0) {
                    continue;
                }
                try {
                    if (kind(fd, path) == FileKind.REGULAR) {
                        try (InputStream in = Files.newInputStream(self(fd))) {
                            return Optional.of(in.readNBytes(max));
                        }
                    }
                } finally {
                    close(fd);
                }
            }
            return Optional.empty();
        } finally {
            close(root);
        }
    }

    static SocketChannel connect(long pid1, String path) throws IOException {
        int root = openRoot(pid1);
        int fd;
        try {
            fd = open(root, path);
        } finally {
            close(root);
        }
        if (fd < 0) {
            throw new IOException(path + ": no such file");
        }
        try {
            FileKind k = kind(fd, path);
            if (k != FileKind.SOCKET) {
                throw new IOException(path + ": not a socket but " + k.name().toLowerCase(java.util.Locale.ROOT));
            }
            return SocketConnect.now(UnixDomainSocketAddress.of(self(fd)), path);
        } finally {
            close(fd);
        }
    }

    private static Path self(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** An {@code O_PATH} descriptor of the qube's root, {@code /proc/PID1/root}. */
    private static int openRoot(long pid1) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            int root = (int) OPEN.invokeExact(st, a.allocateFrom("/proc/" + pid1 + "/root"),
                    O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (root < 0) {
                throw new IOException("the qube's root (pid " + pid1 + ") is gone: errno " + (int) ERRNO.get(st, 0L));
            }
            return root;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open(2)", t);
        }
    }

    /** An {@code O_PATH} descriptor of {@code path} below the qube's {@code root}; -1 when it is not there. */
    private static int open(int root, String path) throws IOException {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            how.set(ValueLayout.JAVA_LONG, 8, 0L);
            how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            MemorySegment p = a.allocateFrom(path);
            for (int attempt = 0; ; attempt++) {
                long fd = (long) OPENAT2.invokeExact(st, SYS_OPENAT2, (long) root, p, how, 24L);
                if (fd >= 0) {
                    return (int) fd;
                }
                int errno = (int) ERRNO.get(st, 0L);
                if (errno == ENOENT || errno == ENOTDIR) {
                    return -1;
                }
                // EAGAIN: a rename raced the resolution; the kernel asks to try again
                if (errno != EAGAIN || attempt == 3) {
                    throw new IOException("cannot resolve " + path + " in the qube: errno " + errno);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("openat2(2)", t);
        }
    }

    private static FileKind kind(int fd, String path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            MemorySegment buf = a.allocate(256, 8);
            int rc = (int) STATX.invokeExact(st, fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_TYPE, buf);
            if (rc != 0) {
                throw new IOException("cannot stat " + path + " in the qube: errno " + (int) ERRNO.get(st, 0L));
            }
            int mode = buf.get(ValueLayout.JAVA_SHORT, STX_MODE) & 0170000;
            return switch (mode) {
                case 0140000 -> FileKind.SOCKET;
                case 0120000 -> FileKind.SYMLINK;
                case 0100000 -> FileKind.REGULAR;
                case 0040000 -> FileKind.DIRECTORY;
                default -> FileKind.OTHER;
            };
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("statx(2)", t);
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(2)", t);
        }
    }
}
