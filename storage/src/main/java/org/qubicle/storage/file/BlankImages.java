package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.linux.Ext4Superblock;
import org.qubicle.storage.linux.SparseCopy;

/**
 * Fresh throwaway file systems (a snapshot's upper layer, a volatile volume) without an
 * mkfs per start: one blank image per size is formatted once, on first need, with
 * exactly the options {@link Ext4#mkfs} uses, and every start gets a sparse copy of it
 * (only its few MiB of metadata are data; the rest stays holes).
 *
 * <p>The blanks live in {@code DIR_PATH/.qubicle-blank/}, named by size and by a hash of
 * the mkfs options, so a change of either makes a new one and old ones are pruned. A blank
 * that no longer reads as an ext4 file system of its size is rebuilt. Every copy carries
 * the blank's file system UUID; that is harmless for a layer discarded at stop and never
 * mounted by UUID.
 *
 * <p>A start does not wait for even that copy: one copy per size is made ahead, in the
 * background after the previous one was taken ({@code ...img.spare}), and the start renames
 * it into place. Without a spare (the first start, or starts in quick succession) it copies.
 */
final class BlankImages {
    /** Blanks kept per pool; sizes are few in practice (a template's root, a private). */
    private static final int KEEP = 8;

    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final BiConsumer<String, Runnable> background;
    private final Set<Long> refilling = ConcurrentHashMap.newKeySet();

    /** @param background runs a named task off the caller's path (the pool's, which a close waits for) */
    BlankImages(Path poolDir, BiConsumer<String, Runnable> background) {
        this.dir = poolDir.resolve(".qubicle-blank");
        this.background = background;
    }

    Path dir() {
        return dir;
    }

    /** Puts a fresh, empty throwaway ext4 file system of {@code size} bytes at {@code dst}. */
    void makeThrowaway(Path dst, long size) {
        Path blank = blank(size);
        FileOps.ensureDir(dst.getParent());
        if (takeSpare(size, dst)) {
            refill(size);
            return;
        }
        Path tmp = FileOps.tmpFor(dst);
        try {
            SparseCopy.copy(blank, tmp);
        } catch (RuntimeException e) {
            FileOps.deleteQuietly(tmp);
            throw e;
        }
        // Neither the data nor the name is made durable: a throwaway layer is made anew at
        // every start and removed at stop, so a crash loses nothing.
        try {
            Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            FileOps.deleteQuietly(tmp);
            throw FileOps.fail("rename " + tmp + " to " + dst, e);
        }
        refill(size);
    }

    Path spareFor(long size) {
        return pathFor(size).resolveSibling(pathFor(size).getFileName() + ".spare");
    }

    /** Renames this size's spare copy to {@code dst}; false if there is none (or another start took it). */
    private boolean takeSpare(long size, Path dst) {
        Path spare = spareFor(size);
        try {
            if (!valid(spare, size)) {
                FileOps.deleteQuietly(spare);
                return false;
            }
            Files.move(spare, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes the next spare of this size in the background, unless one is there or on its way. */
    private void refill(long size) {
        if (Files.exists(spareFor(size)) || !refilling.add(size)) {
            return;
        }
        background.accept("blank spare " + size, () -> {
            Path spare = spareFor(size);
            Path tmp = FileOps.tmpFor(spare);
            try {
                SparseCopy.copy(blank(size), tmp);
                Files.move(tmp, spare, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                // Only an optimisation: the next start copies instead.
                FileOps.deleteQuietly(tmp);
            } finally {
                refilling.remove(size);
            }
        });
    }

    private static String optionsKey() {
        String opts = String.join(" ", Ext4.mkfsArgs(Path.of("-"), true));
        return Integer.toHexString(opts.hashCode());
    }

    Path pathFor(long size) {
        return dir.resolve("throwaway-" + size + "-" + optionsKey() + ".img");
    }

    /** The blank of this size, made now if missing or damaged. */
    Path blank(long size) {
        Path p = pathFor(size);
        if (valid(p, size)) {
            return p;
        }
        lock.lock();
        try {
            if (!valid(p, size)) {
                FileOps.deleteQuietly(p);
                Path tmp = FileOps.tmpFor(p);
                try {
                    FileOps.createSparse(tmp, size);
                    Ext4.mkfs(tmp, true);
                    FileOps.fsync(tmp);
                    FileOps.rename(tmp, p);
                } finally {
                    FileOps.deleteQuietly(tmp);
                }
                prune(p);
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    private static boolean valid(Path p, long size) {
        try {
            if (!Files.isRegularFile(p) || Files.size(p) != size) {
                return false;
            }
            long fs = Ext4Superblock.read(p, 0).bytes();
            return fs <= size && fs > size - 64 * 1024;
        } catch (IOException | StoragePoolException e) {
            return false;
        }
    }

    /** Drops blanks of other mkfs options, leftovers, and all but the {@link #KEEP} newest. */
    private void prune(Path keep) {
        String suffix = "-" + optionsKey() + ".img";
        List<Path> current = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.endsWith(suffix)) {
                    current.add(p);
                } else if (n.endsWith(suffix + ".spare")) {
                    // a spare goes with its blank (below)
                } else {
                    FileOps.deleteQuietly(p);
                }
            }
            current.sort(Comparator.comparing(BlankImages::mtime).reversed());
            for (Path p : current.subList(Math.min(KEEP, current.size()), current.size())) {
                if (!p.equals(keep)) {
                    FileOps.deleteQuietly(p);
                    FileOps.deleteQuietly(p.resolveSibling(p.getFileName() + ".spare"));
                }
            }
        } catch (IOException e) {
            // Only housekeeping: a blank too many costs a few MiB.
        }
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Removes every blank (the pool goes). */
    void removeAll() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                FileOps.deleteQuietly(p);
            }
        } catch (IOException e) {
            throw FileOps.fail("list " + dir, e);
        }
        FileOps.deleteQuietly(dir);
    }
}
