package org.qubicle.qrexec.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.qrexec.wire.DirectInput;

/** Large received files written past the page cache, on the test's own (disk) file system. */
class DirectWriterTest {
    @TempDir
    Path tmp;

    private Path created(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.createFile(p);
        return p;
    }

    private DirectWriter writer(Path p) {
        Optional<DirectWriter> w = DirectWriter.open(p);
        assumeTrue(w.isPresent(), "this file system takes no O_DIRECT");
        return w.get();
    }

    @Test
    void aDiskFileSystemTakesDirectWrites() throws IOException {
        String type = Files.getFileStore(tmp).type();
        assumeTrue(List.of("ext4", "xfs", "btrfs").contains(type), "not a disk file system: " + type);
        Path p = created("f");
        Optional<DirectWriter> w = DirectWriter.open(p);
        assertTrue(w.isPresent(), "O_DIRECT refused on " + type);
        try (DirectWriter open = w.get()) {
            // the kernel shows the flag on the open file: O_DIRECT is octal 040000 on x86 and arm
            assertTrue((openFlags(p) & 040000) != 0, "the file is open without O_DIRECT");
        }
    }

    /** The flags of the one descriptor this process has open on {@code p} for writing. */
    private static long openFlags(Path p) throws IOException {
        Path real = p.toRealPath();
        long found = -1;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (!Files.readSymbolicLink(fd).equals(real)) {
                        continue;
                    }
                } catch (IOException gone) {
                    continue;
                }
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo").resolve(fd.getFileName()))) {
                    if (line.startsWith("flags:")) {
                        found = Long.parseLong(line.substring(6).strip(), 8);
                    }
                }
            }
        }
        assertTrue(found >= 0, "no descriptor open on " + p);
        return found;
    }

    @Test
    void oddAndAlignedSizesArriveExactlyAndTheStreamGoesOnAfterThem() throws IOException {
        for (int size : new int[] {(3 << 20) + 17, 2 << 20, (1 << 20) + 4095}) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            byte[] stream = Arrays.copyOf(body, size + 3);
            stream[size] = 'n';
            stream[size + 1] = 'x';
            stream[size + 2] = 't';
            DirectInput in = new DirectInput(Channels.newChannel(new ByteArrayInputStream(stream)), 64 * 1024);
            assertEquals(body[0] & 0xff, in.read(), "a header byte read through the buffer first");
            Path p = created("f" + size);
            try (DirectWriter w = writer(p)) {
                w.write(in, size - 1);
            }
            assertArrayEquals(Arrays.copyOfRange(body, 1, size), Files.readAllBytes(p));
            assertArrayEquals("nxt".getBytes(), in.readAllBytes(), "no byte past the file was taken");
        }
    }

    @Test
    void aStreamEndingInsideTheFileIsAnEof() throws IOException {
        DirectInput in = new DirectInput(Channels.newChannel(new ByteArrayInputStream(new byte[3 << 20])), 4096);
        Path p = created("short");
        try (DirectWriter w = writer(p)) {
            assertThrows(EOFException.class, () -> w.write(in, 4 << 20));
        }
    }

    @Test
    void theUnpackerRemovesALargeFileCutShort() throws IOException {
        Path dest = tmp.resolve("in");
        Files.createDirectories(dest);
        byte[] archive = new UnpackerTest.Builder().fileHeader("big", 5 << 20).cut();
        byte[] withPart = Arrays.copyOf(archive, archive.length + (2 << 20));
        assertThrows(IOException.class, () -> new FileReceiver.Unpacker(dest,
                Channels.newChannel(new ByteArrayInputStream(withPart))).run());
        assertFalse(Files.exists(dest.resolve("big")));
    }
}
