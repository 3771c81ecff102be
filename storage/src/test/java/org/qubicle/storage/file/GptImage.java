package org.qubicle.storage.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Test helper: a disk image shaped like a Qubes template's root.img, a GPT with a small
 * non-filesystem partition 1, an empty slot 2 and the ext4 root in partition 3. Only what
 * {@link Ext4#locate} reads is written (no checksums, no backup table).
 */
final class GptImage {
    static final long SECTOR = 512;
    static final long ROOT_FIRST_LBA = 4096;

    private GptImage() {}

    /** Writes the image and formats partition 3 with the tree's contents. */
    static void build(Path image, long size, Path tree) throws IOException {
        long lastLba = size / SECTOR - 34;
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
            ByteBuffer h = ByteBuffer.allocate(92).order(ByteOrder.LITTLE_ENDIAN);
            h.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
            h.putLong(72, 2);   // partition entries start at LBA 2
            h.putInt(80, 128);  // number of entries
            h.putInt(84, 128);  // entry size
            f.seek(SECTOR);
            f.write(h.array());
            writeEntry(f, 0, 2048, 4095);
            writeEntry(f, 2, ROOT_FIRST_LBA, lastLba);
        }
        long bytes = (lastLba - ROOT_FIRST_LBA + 1) * SECTOR;
        Exec.check("mkfs.ext4", "-F", "-q", "-b", "4096", "-E", "offset=" + ROOT_FIRST_LBA * SECTOR,
                "-d", tree.toString(), image.toString(), Long.toString(bytes / 4096));
    }

    private static void writeEntry(RandomAccessFile f, int index, long first, long last) throws IOException {
        ByteBuffer e = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        e.put(0, (byte) 1); // any non-zero type GUID
        e.putLong(32, first);
        e.putLong(40, last);
        f.seek(2 * SECTOR + index * 128L);
        f.write(e.array());
    }
}
