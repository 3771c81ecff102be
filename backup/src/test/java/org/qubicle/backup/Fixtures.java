package org.qubicle.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.backup.tar.OuterTarReader;
import org.qubicle.backup.tar.OuterTarWriter;

/** Builds test qubes, backups and hand-made (hostile) archives. */
final class Fixtures {
    static final Passphrase PASS = new Passphrase("correct horse battery staple");
    static final String FIREWALL = """
            <firewall version="2">
              <rules>
                <rule><properties><property name="action">accept</property><property name="dsthost">example.com</property></properties></rule>
                <rule><properties><property name="action">drop</property></properties></rule>
              </rules>
            </firewall>
            """;
    static final String NOTES = "work qube: project files\nsecond line ünïcödé\n";

    private Fixtures() {}

    static BackupOptions fastOptions(String id) {
        return BackupOptions.defaults().withScrypt(ScryptParams.FAST).withBackupId(id);
    }

    /** A qubes.xml with dom0 and the given backed-up AppVMs (name, path, size). */
    static byte[] qubesXml(List<BackupEntry> entries) {
        StringBuilder sb = new StringBuilder();
        sb.append("<qubes>\n  <labels>\n    <label id=\"label-1\" color=\"0xcc0000\">red</label>\n")
                .append("    <label id=\"label-6\" color=\"0x3465a4\">blue</label>\n")
                .append("    <label id=\"label-8\" color=\"0x000000\">black</label>\n  </labels>\n")
                .append("  <properties><property name=\"default_template\">debian-12</property></properties>\n")
                .append("  <domains>\n    <domain id=\"domain-0\" class=\"AdminVM\"><properties>")
                .append("<property name=\"label\">black</property></properties>")
                .append("<features><feature name=\"backup-content\"></feature></features></domain>\n");
        int id = 1;
        for (BackupEntry e : entries) {
            sb.append("    <domain id=\"domain-").append(id++).append("\" class=\"AppVM\"><properties>")
                    .append("<property name=\"label\">label-6</property>")
                    .append("<property name=\"name\">").append(e.qubeName()).append("</property>")
                    .append("<property name=\"template\">debian-12</property></properties><features>")
                    .append("<feature name=\"backup-content\">1</feature>")
                    .append("<feature name=\"backup-path\">").append(e.backupPath()).append("</feature>")
                    .append("<feature name=\"backup-size\">").append(e.declaredSize()).append("</feature>")
                    .append("</features><tags><tag name=\"created-by-test\"/></tags></domain>\n");
        }
        sb.append("  </domains>\n</qubes>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A sparse image: mostly holes, some random and some text extents. */
    static Path sparseImage(Path dir, long size, long seed) throws IOException {
        Path img = dir.resolve("private-" + seed + ".img");
        Random rnd = new Random(seed);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
            for (long off = 0; off < size; off += size / 8) {
                byte[] data = new byte[100_000 + rnd.nextInt(50_000)];
                if (rnd.nextBoolean()) {
                    rnd.nextBytes(data);
                } else {
                    byte[] text = ("line " + off + " lorem ipsum dolor sit amet\n").getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < data.length; i++) {
                        data[i] = text[i % text.length];
                    }
                }
                f.seek(off + rnd.nextInt(4096));
                f.write(data);
            }
        }
        return img;
    }

    static BackupEntry workEntry(Path img) {
        Map<String, BackupSource> files = new LinkedHashMap<>();
        files.put("private.img", BackupSource.image(img));
        files.put("firewall.xml", BackupSource.bytes(FIREWALL.getBytes(StandardCharsets.UTF_8)));
        files.put("notes.txt", BackupSource.bytes(NOTES.getBytes(StandardCharsets.UTF_8)));
        return new BackupEntry("work", "vm3/", files);
    }

    static byte[] write(BackupOptions opts, List<BackupEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BackupWriter(PASS, opts).write(qubesXml(entries), entries, out);
        return out.toByteArray();
    }

    /** One member of an outer archive. */
    record Member(String name, byte[] data) {}

    static List<Member> members(byte[] archive) throws IOException {
        OuterTarReader r = new OuterTarReader(new java.io.ByteArrayInputStream(archive));
        List<Member> out = new ArrayList<>();
        OuterTarReader.Member m;
        while ((m = r.next()) != null) {
            byte[] d = new byte[(int) m.size()];
            r.readData(d, 0);
            out.add(new Member(m.name(), d));
        }
        return out;
    }

    static byte[] assemble(List<Member> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OuterTarWriter w = new OuterTarWriter(out, 0);
        for (Member m : members) {
            w.writeMember(m.name(), m.data(), 0, m.data().length);
        }
        return out.toByteArray();
    }

    /** Encrypts a chunk under its own name, as a writer would. */
    static Member sealChunk(String backupId, String chunkName, byte[] plain) {
        return new Member(chunkName + ".enc",
                ScryptContainer.encrypt(PASS.chunkKey(backupId, chunkName), ScryptParams.FAST, plain));
    }

    /** A gzip-compressed inner tar with one regular member, for forging chunks. */
    static byte[] gzipTar(String memberName, byte[] content) {
        return gzipTar(memberName, content, '0');
    }

    static byte[] gzipTar(String memberName, byte[] content, char type) {
        byte[] tar = ustar(memberName, content, type);
        return Compression.gzip().compressBlock(tar, 0, tar.length);
    }

    /** A minimal ustar archive with one member and the end marker, written by hand. */
    static byte[] ustar(String name, byte[] content, char type) {
        return ustar(name, content, type, "");
    }

    /** Several hand-written members, then the end marker. */
    static byte[] ustarArchive(byte[]... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : members) {
            out.write(m, 0, m.length - 1024); // without each one's end marker
        }
        out.write(new byte[1024], 0, 1024);
        return out.toByteArray();
    }

    static byte[] ustar(String name, byte[] content, char type, String link) {
        int pad = (512 - content.length % 512) % 512;
        byte[] b = new byte[512 + content.length + pad + 1024];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, b, 0, n.length);
        byte[] l = link.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, b, 157, l.length);
        putOctal(b, 100, 8, 0644);
        putOctal(b, 108, 8, 0);
        putOctal(b, 116, 8, 0);
        putOctal(b, 124, 12, content.length);
        putOctal(b, 136, 12, 0);
        b[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, b, 257, 8);
        for (int i = 148; i < 156; i++) {
            b[i] = ' ';
        }
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += b[i] & 0xff;
        }
        putOctal(b, 148, 7, sum);
        System.arraycopy(content, 0, b, 512, content.length);
        return b;
    }

    private static void putOctal(byte[] b, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, b, off, len - 1);
    }

    static boolean isEmptyDir(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
