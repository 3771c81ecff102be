package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import org.qubicle.model.exc.StoragePoolException;

/**
 * The ext4 steps on raw images, with e2fsprogs. Images are bare file systems (no
 * partition table), as a Qubes private.img is.
 */
final class Ext4 {
    /** The ext2/3/4 superblock magic 0xEF53, little-endian at byte 1080. */
    private static final long MAGIC_OFFSET = 1080;
    /** How much of an image must be zero for it to count as never formatted. */
    private static final int BLANK_PROBE = 1 << 20;
    private static final byte[] ZEROS = new byte[BLANK_PROBE];
    private static final long SECTOR = 512;
    private static final int MAX_PARTITIONS = 256;

    private Ext4() {}

    /**
     * Formats an image. The file is fresh and sparse, so the lazy init flags are safe: its
     * unwritten inode tables and journal already read as zeros, and the image stays small.
     * No reserved blocks: inside a qube "root" is not host root, so they would be lost.
     *
     * @param throwaway a volume discarded at stop (volatile, snapshot upper): no journal, and
     *                  no blocks reserved for growing online (a snapshot refuses a resize; those
     *                  reserved group descriptors were 4 of a 10 GiB blank's 4.2 MiB of data,
     *                  copied at every start)
     */
    static void mkfs(Path image, boolean throwaway) {
        Exec.check("mkfs.ext4", mkfsArgs(image, throwaway));
    }

    /** mkfs.ext4's arguments; {@link BlankImages} keys its cache on them. */
    static String[] mkfsArgs(Path image, boolean throwaway) {
        String features = throwaway ? "^has_journal,^resize_inode" : "has_journal";
        return new String[] {"-F", "-q", "-m", "0", "-O", features,
            "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", image.toString()};
    }

    /** Where in an image its ext4 file system lies: the whole file, or one partition. */
    record Extent(long offset, long length) {
        boolean whole() {
            return offset == 0;
        }
    }

    /** True if the image itself (not a partition in it) is an ext2/3/4 file system. */
    static boolean isExt(Path image) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            return magicAt(ch, 0);
        } catch (IOException e) {
            throw FileOps.fail("read " + image, e);
        }
    }

    private static boolean magicAt(FileChannel ch, long fsStart) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2);
        return ch.read(b, fsStart + MAGIC_OFFSET) == 2 && (b.get(0) & 0xff) == 0x53 && (b.get(1) & 0xff) == 0xef;
    }

    /**
     * Finds the ext4 file system in an image: the image itself (ours, and a Qubes
     * private.img), or the largest ext4 partition of a GPT disk (a Qubes template's
     * root.img keeps its root in partition 3). The table's checksums are not checked: the
     * result is only used as a mount offset, bounded by the file and confirmed by the
     * superblock magic found there.
     */
    static Optional<Extent> locate(Path image) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = ch.size();
            if (magicAt(ch, 0)) {
                return Optional.of(new Extent(0, size));
            }
            ByteBuffer h = ByteBuffer.allocate(92).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(h, SECTOR) != 92 || !"EFI PART".equals(new String(h.array(), 0, 8, StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            long entriesLba = h.getLong(72);
            int count = h.getInt(80);
            int entrySize = h.getInt(84);
            if (count <= 0 || count > MAX_PARTITIONS || entrySize < 128 || entrySize > 1024 || entriesLba < 2) {
                return Optional.empty();
            }
            Extent best = null;
            ByteBuffer e = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                e.clear();
                if (ch.read(e, entriesLba * SECTOR + (long) i * entrySize) != 48) {
                    break;
                }
                long first = e.getLong(32);
                long last = e.getLong(40);
                if (first <= 0 || last < first || last >= size / SECTOR) {
                    continue;
                }
                Extent x = new Extent(first * SECTOR, (last - first + 1) * SECTOR);
                if (magicAt(ch, x.offset()) && (best == null || x.length() > best.length())) {
                    best = x;
                }
            }
            return Optional.ofNullable(best);
        } catch (IOException ex) {
            throw FileOps.fail("read " + image, ex);
        }
    }

    /**
     * True if the image's first MiB is all zeros: cleared or created empty, never
     * formatted. Such an image is formatted at mount, as a Qubes qube formats an empty
     * private volume at its first boot; anything else is never overwritten.
     */
    static boolean isBlank(Path image) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            if (magicAt(ch, 0)) {
                return false; // the common case, a formatted image: no need to read a MiB
            }
            ByteBuffer b = ByteBuffer.allocate(BLANK_PROBE);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            // Arrays.mismatch is vectorised; a byte-wise loop took ~20 ms on a loaded host.
            return Arrays.mismatch(b.array(), 0, b.position(), ZEROS, 0, b.position()) < 0;
        } catch (IOException e) {
            throw FileOps.fail("read " + image, e);
        }
    }

    /** Grows the file system of an unmounted image to fill the file. */
    static void growOffline(Path image) {
        // resize2fs insists on a fresh forced check; -p repairs only what is safe (exit 1).
        Exec.check(1, "e2fsck", "-f", "-p", image.toString());
        Exec.check("resize2fs", image.toString());
    }

    /** The size the file system itself claims (block count times block size), from its superblock. */
    static long fsBytes(Path image) {
        return org.qubicle.storage.linux.Ext4Superblock.read(image, 0).bytes();
    }

    /**
     * Grows the file system if the image grew behind its back (a resize while running
     * whose online grow failed). Runs before mounting, so it is an offline grow.
     */
    static void growIfSmaller(Path image) throws java.io.IOException {
        long file = java.nio.file.Files.size(image);
        // resize2fs rounds down to whole blocks; less than one block of slack is no growth.
        if (fsBytes(image) + 64 * 1024 < file) {
            growOffline(image);
        }
    }

    /** Grows a mounted file system after its loop device learned the new size. */
    static void growOnline(String device) {
        Exec.check("resize2fs", device);
    }

    /** Fails clearly when the image holds no ext2/3/4, so mount never guesses a type. */
    static Extent requireExt(Path image, String vid) {
        return locate(image).orElseThrow(() ->
                new StoragePoolException("Volume " + vid + " holds no ext4 file system; cannot mount it"));
    }
}
