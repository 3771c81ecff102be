package org.qubicle.storage.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.StoragePoolException;

/** The superblock parser, on synthetic superblocks, damaged ones and a real mkfs'd image. */
class Ext4SuperblockTest {
    @TempDir
    Path tmp;

    private static ByteBuffer superblock(long blocks, int logBlockSize, boolean is64) {
        ByteBuffer b = ByteBuffer.allocate(Ext4Superblock.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, (int) blocks);
        b.putInt(24, logBlockSize);
        b.putShort(0x38, (short) 0xEF53);
        if (is64) {
            b.putInt(0x60, 0x80 | 0x40 | 0x2);
            b.putInt(0x150, (int) (blocks >>> 32));
        }
        return b;
    }

    @Test
    void readsCountAndBlockSize() {
        Ext4Superblock sb = Ext4Superblock.parse(superblock(5120, 2, false), "x");
        assertEquals(5120, sb.blockCount());
        assertEquals(4096, sb.blockSize());
        assertEquals(5120L * 4096, sb.bytes());
    }

    @Test
    void theHighWordCountsOnlyWith64bit() {
        long blocks = (3L << 32) | 7;
        assertEquals(blocks, Ext4Superblock.parse(superblock(blocks, 2, true), "x").blockCount());
        ByteBuffer b = superblock(7, 0, false);
        b.putInt(0x150, 3); // garbage in a field that only 64bit file systems use
        assertEquals(7, Ext4Superblock.parse(b, "x").blockCount());
        assertEquals(1024, Ext4Superblock.parse(b, "x").blockSize());
    }

    @Test
    void aTruncatedSuperblockIsAClearError() {
        var e = assertThrows(StoragePoolException.class,
                () -> Ext4Superblock.parse(ByteBuffer.allocate(100), "short.img"));
        assertTrue(e.getMessage().contains("short.img") && e.getMessage().contains("too short"), e.getMessage());
    }

    @Test
    void aWrongMagicIsAClearError() {
        ByteBuffer b = superblock(100, 2, false);
        b.putShort(0x38, (short) 0x1234);
        var e = assertThrows(StoragePoolException.class, () -> Ext4Superblock.parse(b, "junk.img"));
        assertTrue(e.getMessage().contains("no ext2/3/4 superblock"), e.getMessage());
    }

    @Test
    void corruptFieldsAreClearErrors() {
        var e = assertThrows(StoragePoolException.class,
                () -> Ext4Superblock.parse(superblock(100, 40, false), "bad.img"));
        assertTrue(e.getMessage().contains("corrupt superblock"), e.getMessage());
        e = assertThrows(StoragePoolException.class, () -> Ext4Superblock.parse(superblock(0, 2, false), "bad.img"));
        assertTrue(e.getMessage().contains("corrupt superblock"), e.getMessage());
        e = assertThrows(StoragePoolException.class,
                () -> Ext4Superblock.parse(superblock(-1L, 2, true), "bad.img"));
        assertTrue(e.getMessage().contains("corrupt superblock"), e.getMessage());
    }

    @Test
    void aTruncatedImageFileIsAClearError() throws IOException {
        Path img = tmp.resolve("cut.img");
        Files.write(img, new byte[1500]);
        var e = assertThrows(StoragePoolException.class, () -> Ext4Superblock.read(img, 0));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        var missing = assertThrows(StoragePoolException.class, () -> Ext4Superblock.read(tmp.resolve("none"), 0));
        assertTrue(missing.getMessage().contains("Cannot read the file system size"), missing.getMessage());
    }

    @Test
    void agreesWithMkfsOnARealImage() throws Exception {
        Path img = tmp.resolve("real.img");
        try (var raf = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength(48L << 20);
        }
        Process p = new ProcessBuilder("mkfs.ext4", "-F", "-q", "-b", "4096", img.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, () -> "mkfs.ext4 failed: " + out);
        Ext4Superblock sb = Ext4Superblock.read(img, 0);
        assertEquals(4096, sb.blockSize());
        assertEquals(48L << 20, sb.bytes());
    }
}
