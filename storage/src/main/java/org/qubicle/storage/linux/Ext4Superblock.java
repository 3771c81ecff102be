package org.qubicle.storage.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.qubicle.model.exc.StoragePoolException;

/**
 * The few fields of an ext2/3/4 superblock this project needs (the file system's size),
 * read directly instead of through {@code dumpe2fs -h}. The superblock lies 1024 bytes
 * into the file system; its fields are little-endian.
 *
 * @param blockCount blocks in the file system
 * @param blockSize  bytes per block (1 KiB to 64 KiB)
 */
public record Ext4Superblock(long blockCount, int blockSize) {
    /** Where the superblock starts, from the start of the file system. */
    public static final int OFFSET = 1024;
    /** Bytes of the superblock that are read. */
    public static final int SIZE = 1024;
    private static final int MAGIC = 0xEF53;
    private static final int INCOMPAT_64BIT = 0x80;
    private static final int MAX_LOG_BLOCK_SIZE = 6;

    public Ext4Superblock {
        if (blockCount <= 0) {
            throw new StoragePoolException("ext4 superblock: block count " + blockCount + " is not positive");
        }
        if (blockSize < 1024 || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
            throw new StoragePoolException("ext4 superblock: block size " + blockSize + " is invalid");
        }
    }

    /** The size the file system claims: block count times block size. */
    public long bytes() {
        return blockCount * blockSize;
    }

    /**
     * Parses the superblock's {@link #SIZE} bytes; {@code what} names the image in errors.
     * Fails clearly on a short read, a missing magic or an impossible block size.
     */
    public static Ext4Superblock parse(ByteBuffer untrustedSuperblock, String what) {
        ByteBuffer b = untrustedSuperblock.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < SIZE) {
            throw new StoragePoolException("Cannot read the file system size of " + what
                    + ": it is too short to hold an ext4 superblock");
        }
        int base = b.position();
        int magic = Short.toUnsignedInt(b.getShort(base + 0x38));
        if (magic != MAGIC) {
            throw new StoragePoolException("Cannot read the file system size of " + what
                    + ": no ext2/3/4 superblock (magic 0x" + Integer.toHexString(magic) + ")");
        }
        long logBlockSize = Integer.toUnsignedLong(b.getInt(base + 24));
        if (logBlockSize > MAX_LOG_BLOCK_SIZE) {
            throw new StoragePoolException("Cannot read the file system size of " + what
                    + ": corrupt superblock (log block size " + logBlockSize + ")");
        }
        long count = Integer.toUnsignedLong(b.getInt(base + 4));
        int incompat = b.getInt(base + 0x60);
        if ((incompat & INCOMPAT_64BIT) != 0) {
            count |= Integer.toUnsignedLong(b.getInt(base + 0x150)) << 32;
        }
        if (count == 0 || count >>> 40 != 0) {
            // Beyond 2^40 blocks no image of ours could be: a corrupt count.
            throw new StoragePoolException("Cannot read the file system size of " + what
                    + ": corrupt superblock (block count " + Long.toUnsignedString(count) + ")");
        }
        return new Ext4Superblock(count, 1024 << logBlockSize);
    }

    /** Reads the superblock of the file system starting {@code fsOffset} bytes into {@code image}. */
    public static Ext4Superblock read(Path image, long fsOffset) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            long pos = fsOffset + OFFSET;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + b.position());
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new StoragePoolException("Cannot read the file system size of " + image + ": " + e.getMessage());
        }
        b.flip();
        return parse(b, image.toString());
    }
}
