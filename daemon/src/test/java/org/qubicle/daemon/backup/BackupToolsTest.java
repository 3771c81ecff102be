package org.qubicle.daemon.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qubicle.backup.BackupReader;
import org.qubicle.backup.Passphrase;
import org.qubicle.backup.ReaderOptions;

/**
 * qvm-backup and qvm-backup-restore against the real daemon with test image volumes (no
 * root). The round trip and rename tests, which import volumes, run on the real pool
 * storage in {@link BackupPoolIntegrationTest}.
 */
class BackupToolsTest extends BackupTestBase {

    @Test
    void backupToStandardOutputIsAValidArchive() throws IOException {
        createWork();
        Run b = backup("-p", passFile.toString(), "--yes", "-Z", "zstd", "-", "work");
        ok(b);
        assertTrue(b.err().contains("work"), "the summary goes to stderr: " + b.err());
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(b.stdout()), new Passphrase(PASS),
                ReaderOptions.defaults())) {
            assertEquals("zstd", r.header().compressionFilter());
            assertEquals(1, r.verify().stream().filter(f -> f.path().endsWith("private.img")).count());
        }
        try (var s = Files.list(root.resolve("etc/qubes/backup"))) {
            assertEquals(0, s.count(), "the temporary profile is removed");
        }
    }

    @Test
    void verifyOnlyAndDryRunChangeNothing() throws IOException {
        createWork();
        Path file = root.resolve("work.bak");
        ok(backup("-p", passFile.toString(), "--yes", file.toString(), "work"));
        String list = call("dom0", "admin.vm.List", null, null);
        Run v = restore("-p", passFile.toString(), "--verify-only", file.toString());
        ok(v);
        assertTrue(v.out().contains("verified"), v.out());
        Run d = restore("-p", passFile.toString(), "--dry-run", file.toString());
        ok(d);
        assertTrue(d.out().contains("skip: already exists on the host"), d.out());
        assertEquals(list, call("dom0", "admin.vm.List", null, null));
        Files.writeString(passFile, "wrong\n");
        Run bad = restore("-p", passFile.toString(), "--verify-only", file.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("Is the password correct?"), bad.err());
    }

    @Test
    void profileFilesDriveQvmBackup() throws IOException {
        createWork();
        Path file = root.resolve("from-profile.bak");
        Files.createDirectories(root.resolve("etc/qubes/backup"));
        Files.writeString(root.resolve("etc/qubes/backup/nightly.conf"), """
                # written by hand
                destination_vm: dom0
                destination_path: %s
                include:
                  - work
                exclude: []
                passphrase_text: "%s"
                compression: xz
                """.formatted(file, PASS));
        ok(backup("--profile", "nightly", "--yes"));
        try (BackupReader r = BackupReader.open(file, new Passphrase(PASS), ReaderOptions.defaults())) {
            assertEquals("xz", r.header().compressionFilter());
            assertEquals(List.of("work"), r.backedUpQubes().stream().map(q -> q.name()).toList());
        }
        assertTrue(Files.exists(root.resolve("etc/qubes/backup/nightly.conf")), "a named profile stays");
        Run usage = backup("--profile", "nightly", "-x", "net");
        assertEquals(2, usage.code(), usage.err());
        Run saved = backup("-p", passFile.toString(), "--yes", "--save-profile", "kept",
                root.resolve("kept.bak").toString(), "net");
        ok(saved);
        String conf = Files.readString(root.resolve("etc/qubes/backup/kept.conf"));
        assertTrue(conf.contains("- \"net\""), conf);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("etc/qubes/backup/kept.conf"))));
    }

    @Test
    void aFailureHalfWayRemovesEveryQubeTheRestoreCreated() throws IOException {
        call("dom0", "admin.vm.Create.TemplateVM", null, "name=tpl label=black");
        // Qube "a" restores; "b" has a class this host does not know, so its creation fails
        // after "a" exists (and after label "violet" was created for it).
        String xml = """
                <qubes><labels><label id="label-1" color="0xcc0000">red</label>
                <label id="label-9" color="0x9900cc">violet</label></labels>
                <properties/><domains>
                <domain id="domain-0" class="AdminVM"><properties><property name="label" ref="label-1"/></properties></domain>
                <domain id="domain-2" class="AppVM"><properties><property name="name">a</property>
                <property name="label" ref="label-9"/><property name="template">tpl</property></properties>
                <features><feature name="backup-content">1</feature><feature name="backup-path">vm2/</feature>
                <feature name="backup-size">0</feature></features></domain>
                <domain id="domain-3" class="FooVM"><properties><property name="name">b</property>
                <property name="label">red</property></properties>
                <features><feature name="backup-content">1</feature><feature name="backup-path">vm3/</feature>
                <feature name="backup-size">0</feature></features></domain>
                </domains></qubes>
                """;
        Path file = root.resolve("crafted.bak");
        try (var out = Files.newOutputStream(file)) {
            new org.qubicle.backup.BackupWriter(new Passphrase(PASS), org.qubicle.backup.BackupOptions.defaults()
                    .withScrypt(org.qubicle.backup.crypto.ScryptParams.FAST)).write(
                    xml.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(
                    new org.qubicle.backup.BackupEntry("a", "vm2/", Map.of()),
                    new org.qubicle.backup.BackupEntry("b", "vm3/", Map.of())), out);
        }
        String list = call("dom0", "admin.vm.List", null, null);
        Run r = restore("-p", passFile.toString(), file.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("removing the 1 qube(s) it created"), r.err());
        assertEquals(list, call("dom0", "admin.vm.List", null, null));
    }
}
