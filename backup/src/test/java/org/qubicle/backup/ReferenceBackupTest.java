package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.backup.xml.BackupQube;

/** Restores the reference v4 backup written with the standard tools and checks its manifest. */
class ReferenceBackupTest {
    static final Passphrase PASS = new Passphrase("qubes-ref v4 passphrase");

    @Test
    void listsTheQubes() throws Exception {
        try (BackupReader r = BackupReader.open(TestFiles.conformance("reference-v4.backup"), PASS,
                ReaderOptions.defaults())) {
            assertEquals("20250101T120000-4242", r.header().backupId());
            assertEquals("gzip", r.header().compressionFilter());
            Map<String, BackupQube> q = r.qubes().stream().collect(Collectors.toMap(BackupQube::name, x -> x));
            assertEquals(Set.of("dom0", "debian-12-xfce", "sys-net", "sys-firewall", "work", "personal"), q.keySet());
            assertEquals(List.of("work", "personal"), r.backedUpQubes().stream().map(BackupQube::name).toList());
            BackupQube work = q.get("work");
            assertEquals("AppVM", work.klass());
            assertEquals("blue", work.label());
            assertEquals("debian-12-xfce", work.template());
            assertEquals("vm3/", work.backupPath());
            assertEquals(8389094, work.backupSize());
            assertEquals("1", work.features().get("service.crond"));
            assertFalse(work.features().containsKey("backup-path"));
            assertTrue(work.tags().contains("reference"));
            assertEquals("yellow", q.get("personal").label());
            assertEquals("sys-firewall", q.get("personal").netvm());
            assertEquals("", q.get("sys-net").netvm());
            assertFalse(q.get("sys-net").backupContent());
        }
    }

    @Test
    void verifyOnlyAcceptsIt() throws Exception {
        try (BackupReader r = BackupReader.open(TestFiles.conformance("reference-v4.backup"), PASS,
                ReaderOptions.defaults())) {
            List<RestoredFile> files = r.verify();
            assertEquals(List.of("vm3/private.img", "vm3/firewall.xml", "vm3/notes.txt", "vm5/private.img"),
                    files.stream().map(RestoredFile::path).toList());
        }
    }

    @Test
    void restoresEveryManifestLine(@TempDir Path staging) throws Exception {
        try (BackupReader r = BackupReader.open(TestFiles.conformance("reference-v4.backup"), PASS,
                ReaderOptions.defaults())) {
            r.extract(staging, List.of());
        }
        Map<String, String> dirs = new HashMap<>(Map.of("work", "vm3", "personal", "vm5"));
        int checked = 0;
        for (String line : Files.readAllLines(TestFiles.conformance("reference-v4.manifest"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            String ref = parts[1];
            int slash = ref.indexOf('/');
            String qube = ref.substring(0, slash);
            String rest = ref.substring(slash + 1);
            int colon = rest.indexOf(':');
            Path file = staging.resolve(dirs.get(qube)).resolve(colon < 0 ? rest : rest.substring(0, colon));
            String actual = colon < 0 ? TestFiles.sha256(file)
                    : TestFiles.sha256(TestFiles.debugfsCat(file, rest.substring(colon + 1)));
            assertEquals(parts[0], actual, ref);
            checked++;
        }
        assertEquals(14, checked);
        try (var s = Files.list(staging)) {
            assertEquals(Set.of("vm3", "vm5"), s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }
}
