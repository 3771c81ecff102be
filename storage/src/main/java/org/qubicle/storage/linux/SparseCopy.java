package org.qubicle.storage.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a sparse image without a process: a reflink (FICLONE) where the file system has
 * them, else only the data extents (found with SEEK_DATA and SEEK_HOLE) through
 * copy_file_range, so the holes stay holes and the data never passes through user space.
 * That is {@code cp --reflink=auto --sparse=auto}, minus its detection of zero runs
 * inside data extents.
 */
public final class SparseCopy {
    private static final long FICLONE = 0x40049409L;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** One copy_file_range call at most; the kernel may copy less, the loop goes on. */
    private static final long CHUNK = 1L << 30;

    private SparseCopy() {}

    /**
     * Copies {@code src} to {@code dst}, which must not exist yet; it is created with mode
     * 0600 and the source's length. On failure the caller removes {@code dst}.
     */
    public static void copy(Path src, Path dst) {
        int in = Sys.openOrFail(src.toString(), Sys.O_RDONLY, 0);
        try {
            int out = Sys.openOrFail(dst.toString(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0600);
            try {
                if (!reflink(in, out)) {
                    copyExtents(in, out, src, dst);
                }
            } finally {
                Sys.close(out);
            }
        } finally {
            Sys.close(in);
        }
    }

    private static boolean reflink(int in, int out) {
        try (Sys.Call c = new Sys.Call()) {
            return Sys.ioctl(c, out, FICLONE, (long) in) == 0;
        }
    }

    private static void copyExtents(int in, int out, Path src, Path dst) {
        try (Sys.Call c = new Sys.Call()) {
            long size = Sys.lseek(c, in, 0, 2 /* SEEK_END */);
            if (size < 0) {
                throw c.fail("find the size of " + src);
            }
            if (Sys.ftruncate(c, out, size) != 0) {
                throw c.fail("set the size of " + dst);
            }
            MemorySegment offIn = c.arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment offOut = c.arena.allocate(ValueLayout.JAVA_LONG);
            long pos = 0;
            while (pos < size) {
                long data = Sys.lseek(c, in, pos, SEEK_DATA);
                if (data < 0) {
                    if (c.errno() == Sys.ENXIO) {
                        break; // only a hole is left
                    }
                    throw c.fail("find the data of " + src);
                }
                long hole = Sys.lseek(c, in, data, SEEK_HOLE);
                if (hole < 0) {
                    throw c.fail("find the holes of " + src);
                }
                copyRange(c, in, out, data, hole - data, offIn, offOut, src, dst);
                pos = hole;
            }
        }
    }

    private static void copyRange(Sys.Call c, int in, int out, long from, long length, MemorySegment offIn,
            MemorySegment offOut, Path src, Path dst) {
        offIn.set(ValueLayout.JAVA_LONG, 0, from);
        offOut.set(ValueLayout.JAVA_LONG, 0, from);
        long left = length;
        while (left > 0) {
            long n = Sys.copyFileRange(c, in, offIn, out, offOut, Math.min(left, CHUNK));
            if (n < 0) {
                int e = c.errno();
                if (e == Sys.EXDEV || e == Sys.ENOSYS || e == Sys.EINVAL || e == Sys.EOPNOTSUPP) {
                    long done = length - left;
                    copyByChannel(src, dst, from + done, left);
                    return;
                }
                throw c.fail("copy " + src + " to " + dst);
            }
            if (n == 0) {
                throw new SyscallException("copy " + src + " to " + dst + " (source shrank)", Sys.ENXIO);
            }
            left -= n;
        }
    }

    /** Where copy_file_range is refused: the JDK's own transfer, for that extent only. */
    private static void copyByChannel(Path src, Path dst, long from, long length) {
        try (FileChannel a = FileChannel.open(src, StandardOpenOption.READ);
                FileChannel b = FileChannel.open(dst, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < length) {
                long n = a.transferTo(from + done, length - done, b.position(from + done));
                if (n <= 0) {
                    throw new IOException("source shrank");
                }
                done += n;
            }
        } catch (IOException e) {
            throw new org.qubicle.model.exc.StoragePoolException("Cannot copy " + src + " to " + dst + ": "
                    + e.getMessage());
        }
    }
}
