package org.qubicle.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.storage.linux.Ext4Superblock;

/** Throwaway layers come from one blank per size, formatted once; a damaged blank is made again. */
class BlankImagesTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void aBlankIsFormattedOnceAndCopiedSparsely() throws IOException {
        BlankImages blanks = new BlankImages(tmp, (name, task) -> task.run());
        Path a = tmp.resolve("appvms/a/root-dirty.img");
        Path b = tmp.resolve("appvms/b/root-dirty.img");
        blanks.makeThrowaway(a, 256 * MIB);
        String blankInode = FileOps.inodeKey(blanks.pathFor(256 * MIB));
        blanks.makeThrowaway(b, 256 * MIB);
        assertEquals(blankInode, FileOps.inodeKey(blanks.pathFor(256 * MIB)), "the blank is reused, not made again");
        for (Path p : new Path[] {a, b}) {
            assertEquals(256 * MIB, Files.size(p));
            assertEquals(256 * MIB, Ext4Superblock.read(p, 0).bytes(), "a whole-file ext4 of the volume size");
            assertTrue(FileOps.allocated(p) < 16 * MIB, "only metadata is data: " + FileOps.allocated(p));
        }
        assertNotEquals(FileOps.inodeKey(a), FileOps.inodeKey(b), "every start gets its own copy");
        // no temporary files next to the copies
        try (var s = Files.list(a.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aDamagedBlankIsRebuiltAndSizesGetTheirOwn() throws IOException {
        BlankImages blanks = new BlankImages(tmp, (name, task) -> task.run());
        Path dst = tmp.resolve("v.img");
        blanks.makeThrowaway(dst, 64 * MIB);
        Path blank = blanks.pathFor(64 * MIB);
        Files.write(blank, new byte[4096]); // cut and zeroed
        Files.delete(dst);
        blanks.makeThrowaway(dst, 64 * MIB);
        assertEquals(64 * MIB, Ext4Superblock.read(dst, 0).bytes());
        assertEquals(64 * MIB, Files.size(blank), "the blank was made again");

        Path other = tmp.resolve("w.img");
        blanks.makeThrowaway(other, 96 * MIB);
        assertEquals(96 * MIB, Ext4Superblock.read(other, 0).bytes());
        assertTrue(Files.exists(blanks.pathFor(64 * MIB)) && Files.exists(blanks.pathFor(96 * MIB)));

        blanks.removeAll();
        assertFalse(Files.exists(blanks.dir()));
    }

    @Test
    void aStartTakesTheSpareCopyMadeAheadAndTheNextOneIsMade() throws IOException {
        java.util.List<Runnable> later = new java.util.ArrayList<>();
        BlankImages blanks = new BlankImages(tmp, (name, task) -> later.add(task));
        Path spare = blanks.spareFor(64 * MIB);
        Path a = tmp.resolve("a.img");
        blanks.makeThrowaway(a, 64 * MIB);
        assertFalse(Files.exists(spare), "the first start copies; its spare comes after it");
        assertEquals(1, later.size());
        later.remove(0).run();
        String spareInode = FileOps.inodeKey(spare);

        Path b = tmp.resolve("b.img");
        blanks.makeThrowaway(b, 64 * MIB);
        assertEquals(spareInode, FileOps.inodeKey(b), "the second start renamed the spare into place");
        assertEquals(64 * MIB, Ext4Superblock.read(b, 0).bytes());
        assertFalse(Files.exists(spare));
        later.remove(0).run();
        assertTrue(Files.exists(spare), "and the next spare was made");

        // A damaged spare is never used.
        Files.write(spare, new byte[4096]);
        Path c = tmp.resolve("c.img");
        blanks.makeThrowaway(c, 64 * MIB);
        assertEquals(64 * MIB, Ext4Superblock.read(c, 0).bytes());
    }
}
