package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.backup.compress.Compression;

/** A dom0 home tree (dom0-home/user.NNN.enc): directories, files, links inside only. */
class Dom0HomeTest {
    static final String ID = "20260505T050505-5";

    private static byte[] archive(byte[] innerTar) throws Exception {
        String xml = """
                <qubes><labels><label id="label-8" color="0x000000">black</label></labels><properties/>
                <domains><domain id="domain-0" class="AdminVM"><properties><property name="label">black</property>
                </properties><features><feature name="backup-content">1</feature>
                <feature name="backup-path">dom0-home/user</feature><feature name="backup-size">4096</feature>
                </features></domain></domains></qubes>
                """;
        byte[] header = new BackupHeader(4, true, "gzip", ID).toBytes();
        return Fixtures.assemble(List.of(
                new Fixtures.Member("backup-header", header),
                new Fixtures.Member("backup-header.hmac", org.qubicle.backup.crypto.ScryptContainer.encrypt(
                        Fixtures.PASS.headerKey(), org.qubicle.backup.crypto.ScryptParams.FAST, header)),
                Fixtures.sealChunk(ID, "qubes.xml.000", Fixtures.gzipTar("qubes.xml", xml.getBytes(StandardCharsets.UTF_8))),
                Fixtures.sealChunk(ID, "dom0-home/user.000", Compression.gzip().compressBlock(innerTar, 0, innerTar.length))));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void restoresATreeWithAnInnerLink(@TempDir Path staging) throws Exception {
        byte[] tar = Fixtures.ustarArchive(
                Fixtures.ustar("dom0-home/user/", new byte[0], '5'),
                Fixtures.ustar("dom0-home/user/.bashrc", b("alias ll='ls -l'\n"), '0'),
                Fixtures.ustar("dom0-home/user/Documents/a.txt", b("a\n"), '0'),
                Fixtures.ustar("dom0-home/user/latest", new byte[0], '2', "Documents/a.txt"));
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive(tar)), Fixtures.PASS,
                ReaderOptions.defaults())) {
            assertEquals("dom0-home/user", r.backedUpQubes().getFirst().backupPath());
            r.extract(staging, List.of("dom0"));
        }
        assertEquals("a\n", Files.readString(staging.resolve("dom0-home/user/latest")));
        assertTrue(Files.isSymbolicLink(staging.resolve("dom0-home/user/latest")));
    }

    @Test
    void refusesLinksLeavingTheTreeAndWritesThroughLinks(@TempDir Path tmp) throws Exception {
        byte[][] evil = {
            Fixtures.ustarArchive(Fixtures.ustar("dom0-home/user/etc", new byte[0], '2', "../../../etc")),
            Fixtures.ustarArchive(Fixtures.ustar("dom0-home/user/abs", new byte[0], '2', "/etc/passwd")),
            Fixtures.ustarArchive(Fixtures.ustar("dom0-home/other/x", b("x"), '0')),
        };
        String[] expected = {"leaves the restored tree", "leaves the restored tree", "unexpected member"};
        for (int i = 0; i < evil.length; i++) {
            Path staging = Files.createTempDirectory(tmp, "s");
            byte[] a = archive(evil[i]);
            BackupCorruptedError e = assertThrows(BackupCorruptedError.class, () -> {
                try (BackupReader r = BackupReader.open(new ByteArrayInputStream(a), Fixtures.PASS,
                        ReaderOptions.defaults())) {
                    r.extract(staging, List.of());
                }
            });
            assertTrue(e.getMessage().contains(expected[i]), e.getMessage());
            assertTrue(Fixtures.isEmptyDir(staging));
        }
        // A link inside the tree, then a file written "through" it: refused.
        Path staging = Files.createTempDirectory(tmp, "s");
        byte[] a = archive(Fixtures.ustarArchive(
                Fixtures.ustar("dom0-home/user/Documents/", new byte[0], '5'),
                Fixtures.ustar("dom0-home/user/docs", new byte[0], '2', "Documents"),
                Fixtures.ustar("dom0-home/user/docs/x", b("x"), '0')));
        BackupCorruptedError e = assertThrows(BackupCorruptedError.class, () -> {
            try (BackupReader r = BackupReader.open(new ByteArrayInputStream(a), Fixtures.PASS, ReaderOptions.defaults())) {
                r.extract(staging, List.of());
            }
        });
        assertTrue(e.getMessage().contains("through symbolic link"), e.getMessage());
        assertTrue(Fixtures.isEmptyDir(staging));
    }
}
