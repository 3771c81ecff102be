package org.qubicle.backup;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and forged archives: each must be refused with a clear message by both
 * verify and extract, leaving the staging directory empty.
 */
class HostileBackupTest {
    static final String ID = "20260202T020202-7";
    static byte[] good;
    static List<Fixtures.Member> members;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeGoodBackup(@TempDir Path dir) throws Exception {
        Path img = Fixtures.sparseImage(dir, 2L << 20, 5);
        good = Fixtures.write(Fixtures.fastOptions(ID).withChunkSize(64 * 1024),
                List.of(Fixtures.workEntry(img)));
        members = Fixtures.members(good);
        assertTrue(members.stream().filter(m -> m.name().startsWith("vm3/private.img.")).count() >= 4);
    }

    /** The archive must be refused with a message containing {@code expected}. */
    private void refused(byte[] archive, String expected) throws Exception {
        refused(archive, expected, Fixtures.PASS);
    }

    private void refused(byte[] archive, String expected, Passphrase pass) throws Exception {
        BackupCorruptedError v = assertThrows(BackupCorruptedError.class, () -> {
            try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive), pass, ReaderOptions.defaults())) {
                r.verify();
            }
        });
        assertTrue(v.getMessage().contains(expected), v.getMessage());
        Path staging = Files.createTempDirectory(tmp, "staging");
        BackupCorruptedError x = assertThrows(BackupCorruptedError.class, () -> {
            try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive), pass, ReaderOptions.defaults())) {
                r.extract(staging, List.of());
            }
        });
        assertTrue(x.getMessage().contains(expected), x.getMessage());
        assertTrue(Fixtures.isEmptyDir(staging), "staging not empty after: " + x.getMessage());
    }

    private static byte[] edit(UnaryOperator<List<Fixtures.Member>> f) throws Exception {
        return Fixtures.assemble(f.apply(new ArrayList<>(members)));
    }

    private static int index(List<Fixtures.Member> l, String name) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void theGoodBackupPasses(@TempDir Path staging) throws Exception {
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(good), Fixtures.PASS, ReaderOptions.defaults())) {
            r.extract(staging, List.of());
        }
        assertTrue(Files.size(staging.resolve("vm3/private.img")) == 2L << 20);
    }

    @Test
    void emptyTrailingChunkAsQubesWritesItIsAccepted(@TempDir Path staging) throws Exception {
        // Qubes starts a new chunk whenever the previous one is full, so a stream of an
        // exact multiple of the chunk size ends with an empty chunk (a 128-byte .enc).
        int notes = index(members, "vm3/notes.txt.000.enc");
        byte[] archive = edit(l -> {
            l.add(notes + 1, Fixtures.sealChunk(ID, "vm3/notes.txt.001", new byte[0]));
            return l;
        });
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive), Fixtures.PASS,
                ReaderOptions.defaults())) {
            r.extract(staging, List.of());
        }
        assertTrue(Files.readString(staging.resolve("vm3/notes.txt")).equals(Fixtures.NOTES));
    }

    @Test
    void flippedByteInEveryChunkAndEveryRegion() throws Exception {
        for (int i = 2; i < members.size(); i++) {
            Fixtures.Member m = members.get(i);
            // salt/params (checksum), header HMAC, payload, trailing HMAC
            int[] positions = i == 3 ? new int[] {20, 70, 96 + (m.data().length - 128) / 2, m.data().length - 5}
                    : new int[] {96 + (m.data().length - 128) / 2};
            for (int pos : positions) {
                int at = i;
                byte[] archive = edit(l -> {
                    byte[] d = m.data().clone();
                    d[pos] ^= 0x40;
                    l.set(at, new Fixtures.Member(m.name(), d));
                    return l;
                });
                String expected = pos == 20 ? "not valid scrypt" : pos == 70 ? "passphrase is incorrect"
                        : "not valid scrypt";
                refused(archive, expected);
            }
        }
    }

    @Test
    void flippedByteInTheHeaderOrItsCopy() throws Exception {
        refused(edit(l -> {
            byte[] d = l.get(0).data().clone();
            d[d.length - 3] ^= 1; // inside the backup-id
            l.set(0, new Fixtures.Member("backup-header", d));
            return l;
        }), "Corrupted backup header");
        refused(edit(l -> {
            byte[] d = l.get(1).data().clone();
            d[100] ^= 1;
            l.set(1, new Fixtures.Member("backup-header.hmac", d));
            return l;
        }), "Corrupted backup header");
    }

    @Test
    void wrongPassphrase() throws Exception {
        refused(good, "Is the password correct?", new Passphrase("correct horse battery stapler"));
    }

    @Test
    void truncatedAnywhere() throws Exception {
        int[] cuts = {100, 700, good.length / 3, good.length / 2, good.length - 20000, good.length - 10240 - 300};
        for (int cut : cuts) {
            byte[] archive = Arrays.copyOf(good, cut);
            BackupCorruptedError e = assertThrows(BackupCorruptedError.class, () -> {
                try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive), Fixtures.PASS,
                        ReaderOptions.defaults())) {
                    r.verify();
                }
            }, "cut at " + cut);
            assertTrue(e.getMessage().contains("end of") || e.getMessage().contains("not found in archive"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedAtAChunkBoundary() throws Exception {
        // Drops the last chunks of private.img and everything after: the joined gzip stream ends early.
        int last = index(members, "vm3/firewall.xml.000.enc");
        refused(edit(l -> new ArrayList<>(l.subList(0, last - 1))), "unexpected end of file");
        // Cut after qubes.xml: the qube's files are all missing.
        refused(edit(l -> new ArrayList<>(l.subList(0, 3))), "not found in archive");
    }

    @Test
    void reorderedChunks() throws Exception {
        int a = index(members, "vm3/private.img.001.enc");
        refused(edit(l -> {
            java.util.Collections.swap(l, a, a + 1);
            return l;
        }), "Unexpected file in archive: vm3/private.img.002.enc, expected vm3/private.img.001.enc");
    }

    @Test
    void renamedChunks() throws Exception {
        int a = index(members, "vm3/private.img.001.enc");
        refused(edit(l -> {
            Fixtures.Member one = l.get(a);
            Fixtures.Member two = l.get(a + 1);
            l.set(a, new Fixtures.Member(one.name(), two.data()));
            l.set(a + 1, new Fixtures.Member(two.name(), one.data()));
            return l;
        }), "vm3/private.img.001.enc: passphrase is incorrect");
        // The notes moved into the firewall's place.
        int fw = index(members, "vm3/firewall.xml.000.enc");
        refused(edit(l -> {
            l.set(fw, new Fixtures.Member(l.get(fw).name(), l.get(fw + 1).data()));
            return l;
        }), "vm3/firewall.xml.000.enc: passphrase is incorrect");
    }

    @Test
    void droppedChunkInTheMiddle() throws Exception {
        int a = index(members, "vm3/private.img.001.enc");
        refused(edit(l -> {
            l.remove(a);
            return l;
        }), "Unexpected file in archive: vm3/private.img.002.enc, expected vm3/private.img.001.enc");
    }

    @Test
    void foreignChunks() throws Exception {
        // A chunk of another backup with the same passphrase and names.
        byte[] other = Fixtures.write(Fixtures.fastOptions("20260202T020202-8"),
                List.of(Fixtures.workEntry(Fixtures.sparseImage(tmp, 1L << 20, 6))));
        Fixtures.Member foreignNotes = Fixtures.members(other).stream()
                .filter(m -> m.name().equals("vm3/notes.txt.000.enc")).findFirst().orElseThrow();
        int notes = index(members, "vm3/notes.txt.000.enc");
        refused(edit(l -> {
            l.set(notes, foreignNotes);
            return l;
        }), "vm3/notes.txt.000.enc: passphrase is incorrect");
        // An extra file under a path that qubes.xml does not list.
        refused(edit(l -> {
            l.add(Fixtures.sealChunk(ID, "vm4/private.img.000", Fixtures.gzipTar("vm4/private.img", new byte[10])));
            return l;
        }), "Unexpected file in archive: vm4/private.img.000.enc");
        // A member that is not a chunk at all.
        refused(edit(l -> {
            l.add(new Fixtures.Member("vm3/evil.sh", "echo".getBytes(StandardCharsets.UTF_8)));
            return l;
        }), "Invalid file extension found in archive: vm3/evil.sh");
    }

    @Test
    void innerTarWithDotDotOrAbsolutePath() throws Exception {
        for (String evil : new String[] {"vm3/../../evil", "/etc/evil", "../vm3/notes.txt"}) {
            int notes = index(members, "vm3/notes.txt.000.enc");
            refused(edit(l -> {
                l.set(notes, Fixtures.sealChunk(ID, "vm3/notes.txt.000",
                        Fixtures.gzipTar(evil, "pwned".getBytes(StandardCharsets.UTF_8))));
                return l;
            }), evil.startsWith("/") ? "refusing absolute path" : "refusing path with '..'");
        }
        assertTrue(Files.notExists(tmp.resolve("evil")));
    }

    @Test
    void innerTarWithDeviceOrLink() throws Exception {
        int notes = index(members, "vm3/notes.txt.000.enc");
        for (char type : new char[] {'3', '1', '2'}) {
            refused(edit(l -> {
                l.set(notes, Fixtures.sealChunk(ID, "vm3/notes.txt.000", Fixtures.gzipTar("vm3/notes.txt",
                        new byte[0], type)));
                return l;
            }), type == '3' ? "device or FIFO" : type == '1' ? "hard link" : "unexpected member");
        }
    }

    @Test
    void oversizedHeader() throws Exception {
        refused(edit(l -> {
            byte[] big = new byte[1 << 20];
            Arrays.fill(big, (byte) 'a');
            l.set(0, new Fixtures.Member("backup-header", big));
            return l;
        }), "backup header too large");
    }

    @Test
    void backupBomb() throws Exception {
        // 64 MiB of zeros compresses to ~64 KiB; qubes.xml declares the size of the real files.
        int img = index(members, "vm3/private.img.000.enc");
        byte[] bomb = Fixtures.gzipTar("vm3/private.img", new byte[64 << 20]);
        assertTrue(bomb.length < 128 * 1024);
        refused(edit(l -> {
            List<Fixtures.Member> out = new ArrayList<>(l.subList(0, img));
            out.add(Fixtures.sealChunk(ID, "vm3/private.img.000", bomb));
            out.addAll(l.stream().filter(m -> !m.name().startsWith("vm3/private.img.")).skip(img).toList());
            return out;
        }), "expands past its declared size");
    }

    @Test
    void qubesXmlWithoutBackupSizeIsRefusedUnlessTrusted() throws Exception {
        byte[] xml = new String(Fixtures.qubesXml(List.of(new BackupEntry("w", "vm3/", Map.of()))),
                StandardCharsets.UTF_8).replaceAll("<feature name=\"backup-size\">[0-9]+</feature>", "")
                .getBytes(StandardCharsets.UTF_8);
        byte[] archive = edit(l -> {
            List<Fixtures.Member> out = new ArrayList<>(l.subList(0, 2));
            out.add(Fixtures.sealChunk(ID, "qubes.xml.000", Fixtures.gzipTar("qubes.xml", xml)));
            out.add(Fixtures.sealChunk(ID, "vm3/empty.000", Fixtures.gzipTar("vm3/empty", new byte[0])));
            return out;
        });
        refused(archive, "has no backup-size");
        try (BackupReader r = BackupReader.open(new ByteArrayInputStream(archive), Fixtures.PASS,
                ReaderOptions.defaults().withIgnoreSizeLimit(true))) {
            r.verify();
        }
    }
}
