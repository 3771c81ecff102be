package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qubicle.backup.compress.Compression;

/** Our writer's output read back by our reader, for every filter and multi-chunk files. */
class RoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void sparse64MiBImageWithFirewallAndNotes() throws Exception {
        Path img = Fixtures.sparseImage(tmp, 64L << 20, 1);
        BackupEntry work = Fixtures.workEntry(img);
        byte[] backup = Fixtures.write(Fixtures.fastOptions("20260101T000000-1"), List.of(work));
        // Holes cost nothing: ~1 MiB of data in a 64 MiB image.
        assertTrue(backup.length < 2 << 20, "backup size " + backup.length);
        List<String> names = Fixtures.members(backup).stream().map(Fixtures.Member::name).toList();
        assertEquals(List.of("backup-header", "backup-header.hmac", "qubes.xml.000.enc", "vm3/private.img.000.enc",
                "vm3/firewall.xml.000.enc", "vm3/notes.txt.000.enc"), names);

        Path staging = tmp.resolve("staging");
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(backup), Fixtures.PASS,
                ReaderOptions.defaults())) {
            assertEquals("20260101T000000-1", r.header().backupId());
            assertEquals(work.declaredSize(), r.backedUpQubes().getFirst().backupSize());
            List<RestoredFile> files = r.extract(staging, List.of("work"));
            assertEquals(64L << 20, files.getFirst().size());
        }
        assertEquals(TestFiles.sha256(img), TestFiles.sha256(staging.resolve("vm3/private.img")));
        assertEquals(Fixtures.FIREWALL, Files.readString(staging.resolve("vm3/firewall.xml")));
        assertEquals(Fixtures.NOTES, Files.readString(staging.resolve("vm3/notes.txt"), StandardCharsets.UTF_8));
        // The restored image is sparse as well.
        long blocks = Long.parseLong(new String(TestFiles.run(tmp, null,
                List.of("stat", "-c", "%b", staging.resolve("vm3/private.img").toString()))).trim());
        assertTrue(blocks * 512 < 8L << 20, "allocated " + blocks * 512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void everyFilterWithManyChunks(String filter) throws Exception {
        Path img = Fixtures.sparseImage(tmp, 8L << 20, 2);
        BackupEntry work = Fixtures.workEntry(img);
        BackupEntry empty = new BackupEntry("vault", "vm7/", java.util.Map.of());
        BackupOptions opts = Fixtures.fastOptions("20260101T000000-2")
                .withCompression(Compression.forName(filter)).withChunkSize(64 * 1024).withThreads(3);
        byte[] backup = Fixtures.write(opts, List.of(work, empty));
        long imageChunks = Fixtures.members(backup).stream()
                .filter(m -> m.name().startsWith("vm3/private.img.")).count();
        assertTrue(imageChunks > 3, "chunks: " + imageChunks);
        Path staging = tmp.resolve("staging-" + filter);
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(backup), Fixtures.PASS,
                ReaderOptions.defaults())) {
            assertEquals(filter.equals("none") ? "gzip" : filter, r.header().compressionFilter());
            r.extract(staging, List.of());
        }
        assertEquals(TestFiles.sha256(img), TestFiles.sha256(staging.resolve("vm3/private.img")));
        assertArrayEquals(new byte[0], Files.readAllBytes(staging.resolve("vm7/empty")));
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(backup), Fixtures.PASS,
                ReaderOptions.defaults())) {
            assertEquals(4, r.verify().size());
        }
    }

    @Test
    void extractsOnlyTheSelectedQube() throws Exception {
        BackupEntry a = Fixtures.workEntry(Fixtures.sparseImage(tmp, 1L << 20, 3));
        BackupEntry b = new BackupEntry("mail", "vm9/", java.util.Map.of("notes.txt",
                BackupSource.bytes("mail notes".getBytes(StandardCharsets.UTF_8))));
        byte[] backup = Fixtures.write(Fixtures.fastOptions("20260101T000000-3"), List.of(a, b));
        Path staging = tmp.resolve("staging");
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(backup), Fixtures.PASS,
                ReaderOptions.defaults())) {
            List<RestoredFile> files = r.extract(staging, List.of("mail"));
            assertEquals(List.of(new RestoredFile("mail", "vm9/notes.txt", 10)), files);
        }
        assertEquals(List.of("vm9"), Files.list(staging).map(p -> p.getFileName().toString()).toList());
    }
}
