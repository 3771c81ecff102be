package org.qubicle.driver.bwrap;

import java.io.IOException;
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
import java.util.List;

/**
 * Bind mounts, unmounts and FIFOs made by the daemon itself, through libc's {@code mount(2)},
 * {@code umount2(2)} and {@code mkfifo(3)} (the foreign function API), instead of forking
 * {@code mount}, {@code umount} and {@code mkfifo}: a fork and exec cost more than the whole
 * rest of a qube's file set-up.
 * Falls back to the tools when native access is unavailable.
 */
final class Mounts {
    private static final long MS_BIND = 4096;
    private static final int MNT_DETACH = 2;
    private static final Native NATIVE = Native.load();

    private Mounts() {
    }

    /** {@code mount --bind SRC DST} (not recursive, as the tool). */
    static void bind(Path src, Path dst) throws IOException {
        if (NATIVE != null) {
            int errno = NATIVE.mount(src.toString(), dst.toString(), MS_BIND);
            if (errno != 0) {
                throw new IOException("bind mount of " + src + " on " + dst + " failed: errno " + errno);
            }
            return;
        }
        if (Host.run(List.of(Host.requireTool("mount"), "--bind", src.toString(), dst.toString())) != 0) {
            throw new IOException("bind mount of " + src + " on " + dst + " failed");
        }
    }

    /** {@code mount -t overlay overlay -o lowerdir=..,upperdir=..,workdir=.. TARGET}. */
    static void overlay(Path lower, Path upper, Path work, Path target) throws IOException {
        String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        if (NATIVE != null) {
            int errno = NATIVE.mount("overlay", target.toString(), "overlay", 0, data);
            if (errno != 0) {
                throw new IOException("overlay mount on " + target + " failed: errno " + errno);
            }
            return;
        }
        if (Host.run(List.of(Host.requireTool("mount"), "-t", "overlay", "overlay", "-o", data, target.toString())) != 0) {
            throw new IOException("overlay mount on " + target + " failed");
        }
    }

    /** {@code mkfifo -m 0600 PATH}. */
    static void fifo(Path path) throws IOException {
        if (NATIVE != null) {
            int errno = NATIVE.mkfifo(path.toString(), 0600);
            if (errno != 0) {
                throw new IOException("mkfifo " + path + " failed: errno " + errno);
            }
            return;
        }
        if (Host.run(List.of(Host.requireTool("mkfifo"), "-m", "0600", path.toString())) != 0) {
            throw new IOException("mkfifo " + path + " failed");
        }
    }

    /**
     * Writes a short message (at most PIPE_BUF bytes, so at once) to a FIFO only if a
     * reader has it open: {@code open(O_WRONLY|O_NONBLOCK)} fails at once otherwise,
     * where a plain open would block. False when nobody reads or native access is missing.
     */
    static boolean writeIfRead(Path fifo, byte[] message) {
        if (NATIVE == null || message.length > 4096) {
            return false;
        }
        return NATIVE.writeIfRead(fifo.toString(), message);
    }

    /**
     * Gives an open FIFO a pipe of {@code bytes} (F_SETPIPE_SZ) through a second, non-blocking
     * open of it; the size holds while any end stays open. False where it could not.
     */
    static boolean growPipe(Path fifo, int bytes) {
        return NATIVE != null && NATIVE.growPipe(fifo.toString(), bytes);
    }

    /** Unmounts {@code target}; lazily if it is busy. */
    static void unmount(Path target) throws IOException {
        if (NATIVE != null) {
            if (NATIVE.umount(target.toString(), 0) == 0 || NATIVE.umount(target.toString(), MNT_DETACH) == 0) {
                return;
            }
            throw new IOException("cannot unmount " + target);
        }
        if (Host.run(List.of(Host.requireTool("umount"), target.toString())) != 0
                && Host.run(List.of(Host.requireTool("umount"), "-l", target.toString())) != 0) {
            throw new IOException("cannot unmount " + target);
        }
    }

    /** libc's mount and umount2, each returning 0 or errno. */
    private record Native(MethodHandle mount, MethodHandle umount2, MethodHandle mkfifo, MethodHandle open,
                          MethodHandle write, MethodHandle close, MethodHandle fcntl, StructLayout state,
                          VarHandle errno) {
        private static final int O_WRONLY = 1;
        private static final int O_RDWR = 2;
        private static final int F_SETPIPE_SZ = 1031;
        private static final int O_NONBLOCK = 04000;
        private static final int O_CLOEXEC = 02000000;

        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                StructLayout state = Linker.Option.captureStateLayout();
                VarHandle errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                Linker.Option capture = Linker.Option.captureCallState("errno");
                MethodHandle mount = linker.downcallHandle(linker.defaultLookup().find("mount").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), capture);
                MethodHandle umount2 = linker.downcallHandle(linker.defaultLookup().find("umount2").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), capture);
                MethodHandle mkfifo = linker.downcallHandle(linker.defaultLookup().find("mkfifo").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), capture);
                MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
                MethodHandle write = linker.downcallHandle(linker.defaultLookup().find("write").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG));
                MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                MethodHandle fcntl = linker.downcallHandle(linker.defaultLookup().find("fcntl").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
                return new Native(mount, umount2, mkfifo, open, write, close, fcntl, state, errno);
            } catch (RuntimeException | LinkageError e) {
                return null; // no native access: the tools do it
            }
        }

        int mount(String src, String dst, long flags) {
            return mount(src, dst, null, flags, null);
        }

        int mount(String src, String dst, String type, long flags, String data) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(state);
                // Typed locals: a conditional inside invokeExact's arguments would be an Object.
                MemorySegment t = type == null ? MemorySegment.NULL : a.allocateFrom(type);
                MemorySegment d = data == null ? MemorySegment.NULL : a.allocateFrom(data);
                int rc = (int) mount.invokeExact(st, a.allocateFrom(src), a.allocateFrom(dst), t, flags, d);
                return rc == 0 ? 0 : (int) errno.get(st, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("mount(2)", t);
            }
        }

        int mkfifo(String path, int mode) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(state);
                int rc = (int) mkfifo.invokeExact(st, a.allocateFrom(path), mode);
                return rc == 0 ? 0 : (int) errno.get(st, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("mkfifo(3)", t);
            }
        }

        boolean writeIfRead(String path, byte[] message) {
            try (Arena a = Arena.ofConfined()) {
                int fd = (int) open.invokeExact(a.allocateFrom(path), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
                if (fd < 0) {
                    return false;
                }
                try {
                    MemorySegment buf = a.allocate(message.length);
                    MemorySegment.copy(message, 0, buf, ValueLayout.JAVA_BYTE, 0, message.length);
                    return (long) write.invokeExact(fd, buf, (long) message.length) == message.length;
                } finally {
                    int ignored = (int) close.invokeExact(fd);
                }
            } catch (Throwable t) {
                throw new IllegalStateException("open/write(2) of a FIFO", t);
            }
        }

        boolean growPipe(String path, int bytes) {
            try (Arena a = Arena.ofConfined()) {
                // O_RDWR: never waits for a peer, and gives the pipe one more end while set.
                int fd = (int) open.invokeExact(a.allocateFrom(path), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
                if (fd < 0) {
                    return false;
                }
                try {
                    return (int) fcntl.invokeExact(fd, F_SETPIPE_SZ, bytes) >= bytes;
                } finally {
                    int ignored = (int) close.invokeExact(fd);
                }
            } catch (Throwable t) {
                throw new IllegalStateException("fcntl(2) of a FIFO", t);
            }
        }

        int umount(String target, int flags) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(state);
                int rc = (int) umount2.invokeExact(st, a.allocateFrom(target), flags);
                return rc == 0 ? 0 : (int) errno.get(st, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("umount2(2)", t);
            }
        }
    }
}
