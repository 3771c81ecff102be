package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qubicle.backup.xml.BackupQube;
import org.qubicle.backup.xml.BackupQubesXml;
import org.qubicle.model.exc.QubesValueError;

/** Parsing rules for backup-header (as qubesadmin's BackupHeader.load) and qubes.xml. */
class HeaderAndXmlTest {
    static final String QUBES_HEADER = """
            version=4
            encrypted=True
            compressed=True
            compression-filter=gzip
            hmac-algorithm=scrypt
            backup-id=20230405T123455-1234
            """;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesQubesHeaderByteForByte() {
        BackupHeader h = BackupHeader.parse(b(QUBES_HEADER));
        assertEquals(new BackupHeader(4, true, "gzip", "20230405T123455-1234"), h);
        assertArrayEquals(b(QUBES_HEADER), h.toBytes());
    }

    @Test
    void headerRules() {
        assertFalse(BackupHeader.parse(b(QUBES_HEADER.replace("compressed=True", "compressed=no"))).compressed());
        assertTrue(BackupHeader.parse(b(QUBES_HEADER.replace("compressed=True", "compressed=YES"))).compressed());
        assertEquals("20230405T123455-1234",
                BackupHeader.parse(b(QUBES_HEADER + "future-key=1\n")).backupId(), "unknown keys are ignored");
        String[][] bad = {
            {QUBES_HEADER + "version=4\n", "duplicated key"},
            {QUBES_HEADER.replace("gzip", "zstd -T0"), "Invalid backup header"},
            {QUBES_HEADER.replace("backup-id=", "backup-id=x=y"), "Invalid backup header"},
            {QUBES_HEADER.replace("version=4", "version=3"), "unsupported backup version 3"},
            {QUBES_HEADER.replace("hmac-algorithm=scrypt\n", ""), "missing hmac-algorithm"},
            {QUBES_HEADER.replace("20230405T123455-1234", "-rf"), "invalid backup-id"},
            {QUBES_HEADER + "note=caf\u00e9\n", "Non-ASCII"},
        };
        for (String[] c : bad) {
            BackupCorruptedError e = assertThrows(BackupCorruptedError.class, () -> BackupHeader.parse(b(c[0])), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void passphraseRules() {
        assertThrows(QubesValueError.class, () -> new Passphrase("line\nbreak"));
        assertThrows(QubesValueError.class, () -> new Passphrase(""));
        assertThrows(QubesValueError.class, () -> new Passphrase("a".repeat(2040)));
        assertArrayEquals(b("20230405T123455-1234!vm3/private.img.001!correct horse"),
                new Passphrase("correct horse").chunkKey("20230405T123455-1234", "vm3/private.img.001"));
        assertArrayEquals(b("backup-header!correct horse"), new Passphrase("correct horse").headerKey());
    }

    @Test
    void qubesXmlListsQubes() {
        BackupEntry e = new BackupEntry("work", "vm3/", Map.of("notes.txt", BackupSource.bytes(b("hi"))));
        List<BackupQube> q = BackupQubesXml.parse(Fixtures.qubesXml(List.of(e)));
        assertEquals(2, q.size());
        assertEquals("dom0", q.get(0).name());
        BackupQube work = q.get(1);
        assertEquals("blue", work.label(), "label ids resolve to names");
        assertEquals("vm3/", work.backupPath());
        assertEquals(2, work.backupSize());
        assertEquals(List.of("created-by-test"), work.tags());
    }

    @Test
    void qubesXmlRefusals() {
        String ok = new String(Fixtures.qubesXml(List.of(new BackupEntry("w", "vm3/", Map.of()))),
                StandardCharsets.UTF_8);
        String[][] bad = {
            {"<!DOCTYPE qubes [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + ok.replace("debian-12", "&x;"),
                "not valid XML"},
            {ok.replace("class=\"AdminVM\"", "class=\"AppVM\""), "has no name"},
            {ok.replace("<labels>", "<labelz>").replace("</labels>", "</labelz>"), "missing <labels>"},
            {ok.replace(">label-6<", ">label-99<"), "unknown label"},
            {ok.replace(">vm3/<", ">../etc/<"), "invalid backup-path"},
            {ok.replace(">vm3/<", ">/vm3/<"), "invalid backup-path"},
            {"<qubes><labels/>", "not valid XML"},
        };
        for (String[] c : bad) {
            BackupCorruptedError x = assertThrows(BackupCorruptedError.class, () -> BackupQubesXml.parse(b(c[0])));
            assertTrue(x.getMessage().contains(c[1]), c[1] + " / " + x.getMessage());
        }
    }

    @Test
    void entryRules() {
        assertThrows(QubesValueError.class, () -> new BackupEntry("w", "../", Map.of()));
        assertThrows(QubesValueError.class, () -> new BackupEntry("w", "vm3", Map.of()));
        assertThrows(QubesValueError.class, () -> new BackupEntry("w", "vm3/", Map.of("../x", BackupSource.bytes(new byte[0]))));
        assertThrows(QubesValueError.class, () -> new BackupEntry("w", "vm3/", Map.of("x.enc", BackupSource.bytes(new byte[0]))));
        assertEquals(List.of("empty"), List.copyOf(new BackupEntry("w", "vm3/", Map.of()).files().keySet()));
        BackupSource x = BackupSource.bytes(new byte[1]);
        assertEquals(List.of("root.img", "private.img", "firewall.xml", "notes.txt", "extra"), List.copyOf(
                new BackupEntry("t", "vm1/", Map.of("notes.txt", x, "extra", x, "private.img", x, "firewall.xml", x,
                        "root.img", x)).files().keySet()), "Qubes' order whatever the map's");
    }
}
