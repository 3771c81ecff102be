package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our archive read by the documented emergency procedure with no Qubes tools: GNU
 * {@code tar -i}, {@code scrypt dec} (Debian package scrypt), {@code gzip -d}, and
 * debugfs to look inside the restored ext4 image.
 */
class EmergencyRestoreTest {
    static final String PASS = "correct horse battery staple";

    @TempDir
    Path tmp;

    @Test
    void gnuTarScryptAndGzipRestoreOurBackup() throws Exception {
        for (String tool : new String[] {"tar", "scrypt", "gzip", "mke2fs", "debugfs"}) {
            assertTrue(TestFiles.hasTool(tool), tool + " is missing: apt-get install tar scrypt gzip e2fsprogs");
        }
        // A qube-like private.img: ext4 with home/user and config, made without root.
        Path tree = Files.createDirectories(tmp.resolve("rw/home/user/Documents"));
        Files.writeString(tree.resolve("hello.txt"), "hello from the work qube\n");
        byte[] random = new byte[600_000];
        new java.util.Random(7).nextBytes(random);
        Files.write(tree.resolve("random.bin"), random);
        Files.createDirectories(tmp.resolve("rw/config"));
        Files.writeString(tmp.resolve("rw/config/rc.local"), "#!/bin/sh\n");
        Path img = tmp.resolve("private.img");
        TestFiles.run(tmp, null, List.of("mke2fs", "-q", "-t", "ext4", "-d", tmp.resolve("rw").toString(),
                img.toString(), "16M"));

        Map<String, BackupSource> files = new LinkedHashMap<>();
        files.put("private.img", BackupSource.image(img));
        files.put("firewall.xml", BackupSource.bytes(Fixtures.FIREWALL.getBytes(StandardCharsets.UTF_8)));
        files.put("notes.txt", BackupSource.bytes(Fixtures.NOTES.getBytes(StandardCharsets.UTF_8)));
        BackupEntry work = new BackupEntry("work", "vm3/", files);
        Path backup = tmp.resolve("qubes-backup");
        byte[] qubesXml = Fixtures.qubesXml(List.of(work));
        BackupWriter.BackupResult result;
        try (OutputStream out = Files.newOutputStream(backup)) {
            result = new BackupWriter(new Passphrase(PASS), Fixtures.fastOptions("20260303T030303-42")
                    .withChunkSize(256 * 1024)).write(qubesXml, List.of(work), out);
        }
        assertTrue(result.members().contains("vm3/private.img.002.enc"), result.members().toString());

        Path dir = Files.createDirectories(tmp.resolve("emergency"));
        String script = """
                set -euo pipefail
                B="$1"; pass="$2"
                tar -i -xf "$B" backup-header backup-header.hmac qubes.xml.000.enc
                echo "backup-header!$pass" | scrypt dec -P backup-header.hmac backup-header.verified
                diff -q backup-header backup-header.verified
                grep -qx 'version=4' backup-header
                backup_id=$(sed -n 's/^backup-id=//p' backup-header)
                echo "$backup_id!qubes.xml.000!$pass" | scrypt dec -P qubes.xml.000.enc qubes.xml.tgz
                gzip -d < qubes.xml.tgz | tar -x
                tar -i -xf "$B" vm3/
                for base in private.img firewall.xml notes.txt; do
                    : > "vm3/$base.joined"
                    for f in $(find vm3/ -name "$base.*.enc" | sort -V); do
                        echo "$backup_id!${f%.enc}!$pass" | scrypt dec -P "$f" "${f%.enc}"
                        cat "${f%.enc}" >> "vm3/$base.joined"
                    done
                    mkdir -p "out-$base"
                    gzip -d < "vm3/$base.joined" | tar -x -C "out-$base"
                done
                """;
        TestFiles.run(dir, null, List.of("bash", "-c", script, "restore", backup.toString(), PASS));

        assertArrayEquals(qubesXml, Files.readAllBytes(dir.resolve("qubes.xml")));
        Path restoredImg = dir.resolve("out-private.img/vm3/private.img");
        assertEquals(TestFiles.sha256(img), TestFiles.sha256(restoredImg));
        assertEquals(Fixtures.FIREWALL, Files.readString(dir.resolve("out-firewall.xml/vm3/firewall.xml")));
        assertEquals(Fixtures.NOTES, Files.readString(dir.resolve("out-notes.txt/vm3/notes.txt")));
        assertEquals("hello from the work qube\n", new String(
                TestFiles.debugfsCat(restoredImg, "/home/user/Documents/hello.txt"), StandardCharsets.UTF_8));
        assertArrayEquals(random, TestFiles.debugfsCat(restoredImg, "/home/user/Documents/random.bin"));
        // GNU tar sees the Qubes shapes: a PAX GNU sparse 1.0 member named vm3/private.img.
        String listing = new String(TestFiles.run(dir, null, List.of("bash", "-c",
                "gzip -d < vm3/private.img.joined | tar -tvv")), StandardCharsets.UTF_8);
        assertTrue(listing.contains("vm3/private.img"), listing);
        assertTrue(listing.contains(" 16777216 "), listing);
    }
}
