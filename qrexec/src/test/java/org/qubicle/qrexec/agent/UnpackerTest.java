package org.qubicle.qrexec.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.qrexec.filecopy.Archive;

/** Hostile and honest archives against the qubes.Filecopy unpacker, on a plain directory. */
class UnpackerTest {
    @TempDir
    Path tmp;

    /** Builds archives entry by entry. */
    static final class Builder {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(b);

        Builder() throws IOException {
            d.write(Archive.MAGIC);
        }

        Builder head(int type, String name) throws IOException {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            d.writeByte(type);
            d.writeShort(n.length);
            d.write(n);
            d.writeShort(0644);
            d.writeLong(1_700_000_000L);
            return this;
        }

        Builder dir(String name) throws IOException {
            return head(Archive.DIR, name);
        }

        Builder file(String name, byte[] data) throws IOException {
            head(Archive.FILE, name);
            d.writeLong(data.length);
            d.write(data);
            return this;
        }

        Builder fileHeader(String name, long size) throws IOException {
            head(Archive.FILE, name);
            d.writeLong(size);
            return this;
        }

        Builder link(String name, String to) throws IOException {
            head(Archive.LINK, name);
            byte[] t = to.getBytes(StandardCharsets.UTF_8);
            d.writeShort(t.length);
            d.write(t);
            return this;
        }

        byte[] end() throws IOException {
            d.writeByte(Archive.END);
            d.writeShort(0);
            return b.toByteArray();
        }

        byte[] cut() {
            return b.toByteArray();
        }
    }

    private Path dest() throws IOException {
        Path d = tmp.resolve("home/QubesIncoming/src");
        Files.createDirectories(d);
        return d;
    }

    private void unpack(byte[] archive) throws IOException {
        new FileReceiver.Unpacker(dest(), Channels.newChannel(new ByteArrayInputStream(archive))).run();
    }

    private List<String> everything() throws IOException {
        try (var s = Files.walk(tmp)) {
            return s.map(p -> tmp.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void honestTreeArrivesWithDataLinksAndTimes() throws IOException {
        byte[] data = new byte[3_000_000];
        new java.util.Random(1).nextBytes(data);
        unpack(new Builder().dir("d").file("d/a.bin", data).dir("d/sub").link("d/sub/l", "../a.bin")
                .file("top.txt", "hi".getBytes()).end());
        Path d = dest();
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(d.resolve("d/a.bin"))));
        assertEquals("../a.bin", Files.readSymbolicLink(d.resolve("d/sub/l")).toString());
        assertEquals("hi", Files.readString(d.resolve("top.txt")));
        assertEquals(1_700_000_000_000L, Files.getLastModifiedTime(d.resolve("top.txt")).toMillis());
    }

    @Test
    void traversalAbsoluteAndOddNamesAreRefused() throws IOException {
        dest();
        List<String> before = everything();
        for (String bad : List.of("../x", "../../etc/x", "/etc/passwd", "a/../../x", "./x", "a//b", "", "x/.",
                "x/..", "a\u0000b")) {
            IOException e = assertThrows(IOException.class, () -> unpack(new Builder().file(bad, "x".getBytes()).end()),
                    bad);
            assertTrue(e.getMessage().contains("unsafe") || e.getMessage().contains("malformed")
                    || e.getMessage().contains("no directory"), e.getMessage());
        }
        assertEquals(before, everything());
    }

    @Test
    void symlinkEscapesAreRefused() throws IOException {
        assertThrows(IOException.class, () -> unpack(new Builder().dir("d").link("d/up", "../..").end()));
        assertThrows(IOException.class, () -> unpack(new Builder().dir("e").link("e/abs", "/etc").end()));
        // a link inside the tree, then a write through it
        assertThrows(IOException.class, () -> unpack(new Builder().dir("f").dir("f/g").link("f/l", "g")
                .file("f/l/x", "x".getBytes()).end()));
        assertFalse(Files.exists(dest().resolve("f/g/x")));
        // a symlink planted in the destination beforehand is not followed
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(dest().resolve("planted"), tmp.resolve("outside"));
        assertThrows(IOException.class, () -> unpack(new Builder().file("planted/x", "x".getBytes()).end()));
        assertThrows(IOException.class, () -> unpack(new Builder().file("planted", "x".getBytes()).end()));
        try (var s = Files.list(tmp.resolve("outside"))) {
            assertEquals(0, s.count());
        }
        assertTrue(Files.isSymbolicLink(dest().resolve("planted")));
    }

    @Test
    void devicesAndUnknownEntryTypesAreRefused() throws IOException {
        for (int type : new int[] {'C', 'B', 'P', 'S', 0, 255}) {
            IOException e = assertThrows(IOException.class, () -> unpack(new Builder().head(type, "dev").end()));
            assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
        }
        assertFalse(Files.exists(dest().resolve("dev"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void sparseBombAndTooManyFilesAreRefusedBeforeWriting() throws IOException {
        IOException e = assertThrows(IOException.class,
                () -> unpack(new Builder().fileHeader("bomb", 10_000_000_000L).cut()));
        assertTrue(e.getMessage().contains("limit") || e.getMessage().contains("space"), e.getMessage());
        assertFalse(Files.exists(dest().resolve("bomb")));
        // many small declared files add up past the limit as well
        Builder b = new Builder();
        for (int i = 0; i < 3; i++) {
            b.fileHeader("part" + i, 3L << 30);
        }
        assertThrows(IOException.class, () -> unpack(b.cut()));
        assertFalse(Files.exists(dest().resolve("part2")));
        assertFalse(Files.exists(dest().resolve("part1")), "a truncated file is removed");
    }

    @Test
    void truncatedAndForeignStreamsAreRefused() throws IOException {
        assertThrows(IOException.class, () -> unpack(new byte[0]));
        assertThrows(IOException.class, () -> unpack("tar\0junk".getBytes()));
        assertThrows(IOException.class, () -> unpack(new Builder().fileHeader("half", 100).cut()));
        assertFalse(Files.exists(dest().resolve("half")));
        // existing files are not overwritten
        unpack(new Builder().file("same", "1".getBytes()).end());
        assertThrows(IOException.class, () -> unpack(new Builder().file("same", "2".getBytes()).end()));
        assertEquals("1", Files.readString(dest().resolve("same")));
    }
}
