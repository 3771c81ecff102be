package org.qubicle.storage.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.StoragePoolException;

/** Sparse copies keep content and length, and leave holes unallocated. */
class SparseCopyTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void copiesDataAndKeepsHoles() throws Exception {
        Path src = tmp.resolve("src.img");
        byte[] a = new byte[4096];
        Arrays.fill(a, (byte) 'a');
        byte[] b = new byte[8192];
        Arrays.fill(b, (byte) 'b');
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(24 * MIB);
            f.seek(0);
            f.write(a);
            f.seek(20 * MIB);
            f.write(b);
        }
        Path dst = tmp.resolve("dst.img");
        SparseCopy.copy(src, dst);
        assertEquals(24 * MIB, Files.size(dst));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        assertTrue(allocated(dst) < 4 * MIB, "holes stay holes: " + allocated(dst) + " bytes allocated");
        assertEquals(allocated(dst), Stat.allocatedBytes(dst), "statx agrees with du");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dst)));
    }

    @Test
    void anEmptyOrAllHoleFileCopies() throws IOException {
        Path src = tmp.resolve("hole.img");
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(8 * MIB);
        }
        Path dst = tmp.resolve("hole-copy.img");
        SparseCopy.copy(src, dst);
        assertEquals(8 * MIB, Files.size(dst));
        assertEquals(0, allocated(dst));
    }

    @Test
    void refusesToOverwriteAndNamesTheError() throws IOException {
        Path src = Files.writeString(tmp.resolve("s"), "x");
        Path dst = Files.writeString(tmp.resolve("d"), "y");
        var e = assertThrows(StoragePoolException.class, () -> SparseCopy.copy(src, dst));
        assertTrue(e.getMessage().contains("File exists"), e.getMessage());
        var missing = assertThrows(SyscallException.class, () -> SparseCopy.copy(tmp.resolve("none"), tmp.resolve("n2")));
        assertEquals(2, missing.errno());
        assertTrue(missing.getMessage().contains("No such file or directory"), missing.getMessage());
    }

    private static long allocated(Path p) throws IOException {
        // st_blocks through the JDK's unix view is not exposed; du's answer is the test oracle.
        try {
            Process pr = new ProcessBuilder("du", "-B1", "--", p.toString()).start();
            String out = new String(pr.getInputStream().readAllBytes()).strip();
            pr.waitFor();
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }
}
