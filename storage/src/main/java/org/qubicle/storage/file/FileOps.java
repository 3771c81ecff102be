package org.qubicle.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.linux.SparseCopy;

/**
 * Durable file steps, as file-reflink takes them: images are 0600, every rename or link
 * is followed by an fsync of the directory, copies go through a temporary
 * {@code name~XXXX} file and a rename so a crash never leaves a half image under a real
 * name.
 */
final class FileOps {
    private static final Set<java.nio.file.attribute.PosixFilePermission> IMAGE_MODE =
            PosixFilePermissions.fromString("rw-------");
    private static final Set<java.nio.file.attribute.PosixFilePermission> DIR_MODE =
            PosixFilePermissions.fromString("rwxr-xr-x");

    private FileOps() {}

    /** Marks a temporary sibling; file-reflink's cleanup globs {@code *.img*~*} too. */
    static Path tmpFor(Path dst) {
        return dst.resolveSibling(dst.getFileName() + "~" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    static void ensureDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                ensureDir(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                } catch (FileAlreadyExistsException e) {
                    return;
                }
                fsyncDir(dir.getParent());
            }
        } catch (IOException e) {
            throw fail("create directory " + dir, e);
        }
    }

    /**
     * A mount point under the run directory: runtime state, made again at every start, so
     * unlike {@link #ensureDir} it is not made durable (no directory fsync).
     */
    static void ensureRunDir(Path dir) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (IOException e) {
            throw fail("create directory " + dir, e);
        }
    }

    /** A new sparse file of {@code size} bytes at {@code dst}, replacing any old one. */
    static void createSparse(Path dst, long size) {
        ensureDir(dst.getParent());
        Path tmp = tmpFor(dst);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(IMAGE_MODE));
            // The umask may have narrowed the mode; it must be exactly 0600.
            Files.setPosixFilePermissions(tmp, IMAGE_MODE);
        } catch (IOException e) {
            throw fail("create " + dst, e);
        }
        setLength(tmp, size);
        rename(tmp, dst);
    }

    static void setLength(Path file, long size) {
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            raf.getFD().sync();
        } catch (IOException e) {
            throw fail("set the size of " + file, e);
        }
    }

    /**
     * Copies {@code src} to {@code dst}: a reflink (FICLONE) where the file system has
     * them, else a sparse copy of the data extents ({@link SparseCopy}), the order GNU
     * cp's {@code --reflink=auto} takes, without its process.
     */
    static void copy(Path src, Path dst) {
        ensureDir(dst.getParent());
        Path tmp = tmpFor(dst);
        try {
            SparseCopy.copy(src, tmp);
            Files.setPosixFilePermissions(tmp, IMAGE_MODE);
            fsync(tmp);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e instanceof StoragePoolException s ? s : fail("copy " + src + " to " + dst, e);
        }
        rename(tmp, dst);
    }

    /** Copies like {@link #copy} into exactly {@code tmp}, without the final rename. */
    static void copyUnrenamed(Path src, Path tmp) {
        try {
            SparseCopy.copy(src, tmp);
            Files.setPosixFilePermissions(tmp, IMAGE_MODE);
            fsync(tmp);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e instanceof StoragePoolException s ? s : fail("copy " + src + " to " + tmp, e);
        }
    }

    /** Size and modification time to the nanosecond: how file-reflink tells a precache is current. */
    static String stamp(Path p) {
        try {
            var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toInstant();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw fail("stat " + p, e);
        }
    }

    static void setModified(Path p, java.nio.file.attribute.FileTime t) {
        try {
            Files.setLastModifiedTime(p, t);
        } catch (IOException e) {
            throw fail("set the time of " + p, e);
        }
    }

    /** A second name for the same inode; cheap, and it keeps the inode alive. */
    static void hardlink(Path src, Path dst) {
        ensureDir(dst.getParent());
        try {
            Files.deleteIfExists(dst);
            Files.createLink(dst, src);
        } catch (IOException e) {
            throw fail("link " + src + " to " + dst, e);
        }
        fsyncDir(dst.getParent());
    }

    static void rename(Path src, Path dst) {
        try {
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            throw new StoragePoolException("Missing image file " + src);
        } catch (IOException e) {
            throw fail("rename " + src + " to " + dst, e);
        }
        fsyncDir(dst.getParent());
        if (!src.getParent().equals(dst.getParent())) {
            fsyncDir(src.getParent());
        }
    }

    static void remove(Path p) {
        try {
            if (Files.deleteIfExists(p)) {
                fsyncDir(p.getParent());
            }
        } catch (IOException e) {
            throw fail("remove " + p, e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort on an error path; the next start removes leftovers (*~*).
        }
    }

    static void fsync(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw fail("fsync " + file, e);
        }
    }

    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw fail("fsync " + dir, e);
        }
    }

    /** The inode identity {@code dev:ino}, the way file-reflink compares files. */
    static String inodeKey(Path p) {
        try {
            Object dev = Files.getAttribute(p, "unix:dev");
            Object ino = Files.getAttribute(p, "unix:ino");
            return dev + "-" + ino;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes allocated on disk ({@code st_blocks * 512}), which Java's attributes omit. */
    static long allocated(Path p) {
        if (!Files.exists(p)) {
            return 0;
        }
        return org.qubicle.storage.linux.Stat.allocatedBytes(p);
    }

    static StoragePoolException fail(String what, Exception e) {
        StoragePoolException s = new StoragePoolException("Cannot " + what + ": " + e.getMessage());
        s.initCause(e);
        return s;
    }
}
