package org.qubicle.qrexec.agent;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.qubicle.qrexec.filecopy.Archive;
import org.qubicle.qrexec.wire.DirectInput;

/**
 * The {@code qubes.Filecopy} service ({@code qfile-unpacker}): unpacks an {@link Archive} from
 * stdin into {@code ~/QubesIncoming/SOURCE}, where SOURCE is {@code $QREXEC_REMOTE_DOMAIN} (set
 * by the daemon from the calling qube, never by the caller). Nothing lands outside that
 * directory: names are relative with no {@code ..}, no existing path component may be a
 * symlink, files are created new (never through or over an existing entry), link targets must
 * stay inside the copied tree, and there is no way to express devices, fifos or sockets.
 * Limits: at most {@link #maxFiles()} entries, and at most {@link #maxBytes()} bytes declared in
 * all, and never more than the free space: a file's declared size is checked before any of its
 * data is written, so a 10 GB sparse "bomb" is refused at its header. On any refusal the
 * partial file is removed and the answer is {@code ERROR ...}.
 */
final class FileReceiver {
    /** Defaults; {@code $QUBICLE_FILECOPY_MAX_BYTES} / {@code _MAX_FILES} in the service's environment lower them. */
    static final long DEFAULT_MAX_BYTES = 8L << 30;
    static final long DEFAULT_MAX_FILES = 100_000;

    private FileReceiver() {
    }

    static long maxBytes() {
        return envLong("QUBICLE_FILECOPY_MAX_BYTES", DEFAULT_MAX_BYTES);
    }

    static long maxFiles() {
        return envLong("QUBICLE_FILECOPY_MAX_FILES", DEFAULT_MAX_FILES);
    }

    private static long envLong(String name, long dflt) {
        try {
            String v = System.getenv(name);
            return v == null ? dflt : Math.min(dflt, Long.parseLong(v));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static int main(String[] args) {
        PrintStream out = System.out;
        String source = System.getenv("QREXEC_REMOTE_DOMAIN");
        if (source == null || !source.matches("[A-Za-z][A-Za-z0-9_.-]{0,30}")) {
            out.println("ERROR no valid source qube");
            return 1;
        }
        Path home = Path.of(System.getProperty("user.home"));
        Path dest = home.resolve("QubesIncoming").resolve(source);
        try {
            Files.createDirectories(dest);
            noLinksBelow(home, dest);
            new FileReceiver.Unpacker(dest, new FileInputStream(FileDescriptor.in).getChannel()).run();
            out.println("OK");
            return 0;
        } catch (IOException e) {
            out.println("ERROR " + e.getMessage());
            return 1;
        }
    }

    /** No component of {@code p} below {@code top} is a symbolic link. */
    static void noLinksBelow(Path top, Path p) throws IOException {
        Path cur = top;
        for (Path part : top.relativize(p)) {
            cur = cur.resolve(part);
            if (Files.isSymbolicLink(cur)) {
                throw new IOException("refusing to write through the symlink " + top.relativize(cur));
            }
        }
    }

    static final class Unpacker {
        private final Path dest;
        private final DirectInput source;
        private final DataInputStream in;
        private long bytes;
        private long files;

        Unpacker(Path dest, ReadableByteChannel untrustedArchive) {
            this.dest = dest;
            this.source = new DirectInput(untrustedArchive, 1 << 20);
            this.in = new DataInputStream(source);
        }

        void run() throws IOException {
            byte[] magic = new byte[Archive.MAGIC.length];
            try {
                in.readFully(magic);
            } catch (EOFException e) {
                throw new IOException("empty stream");
            }
            if (!java.util.Arrays.equals(magic, Archive.MAGIC)) {
                throw new IOException("not a qubicle file-copy stream");
            }
            try {
                while (entry()) {
                    // next
                }
            } catch (EOFException e) {
                throw new IOException("stream ended in the middle of an entry");
            }
        }

        private String readName(int max) throws IOException {
            int len = in.readUnsignedShort();
            if (len > max) {
                throw new IOException("name too long");
            }
            byte[] b = new byte[len];
            in.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8);
            if (!java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), b)) {
                throw new IOException("name is not UTF-8");
            }
            return s;
        }

        private boolean entry() throws IOException {
            int type = in.readUnsignedByte();
            String untrustedName = readName(Archive.MAX_NAME);
            if (type == Archive.END) {
                if (!untrustedName.isEmpty()) {
                    throw new IOException("malformed end");
                }
                return false;
            }
            if (type != Archive.DIR && type != Archive.FILE && type != Archive.LINK) {
                throw new IOException("entry type " + type + " is not allowed");
            }
            if (!Archive.safeName(untrustedName)) {
                throw new IOException("unsafe name: " + printable(untrustedName));
            }
            int mode = in.readUnsignedShort() & 0777;
            long mtime = in.readLong();
            if (++files > maxFiles()) {
                throw new IOException("too many files (limit " + maxFiles() + ")");
            }
            Path target = dest.resolve(untrustedName).normalize();
            if (!target.startsWith(dest) || target.equals(dest)) {
                throw new IOException("unsafe name: " + printable(untrustedName));
            }
            noLinksBelow(dest, target.getParent());
            if (!Files.isDirectory(target.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("no directory for " + printable(untrustedName));
            }
            switch (type) {
                case Archive.DIR -> {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(target);
                    }
                    Files.setPosixFilePermissions(target, perms(mode | 0700));
                }
                case Archive.FILE -> file(target, mode, untrustedName);
                default -> link(target, untrustedName);
            }
            if (type != Archive.LINK) {
                Files.setLastModifiedTime(target, FileTime.fromMillis(Math.max(0, mtime) * 1000));
            }
            return true;
        }

        private void file(Path target, int mode, String name) throws IOException {
            long size = in.readLong();
            if (size < 0) {
                throw new IOException("negative size");
            }
            bytes += size;
            if (bytes > maxBytes()) {
                throw new IOException("too much data: " + printable(name) + " would pass the limit of " + maxBytes()
                        + " bytes");
            }
            if (size > Files.getFileStore(dest).getUsableSpace()) {
                throw new IOException("not enough space for " + printable(name) + " (" + size + " bytes)");
            }
            boolean done = false;
            FileChannel ch;
            // CREATE_NEW with NOFOLLOW_LINKS: never through or over something that exists
            try {
                ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new IOException("already exists: " + printable(name));
            }
            try (ch) {
                Optional<DirectWriter> direct = size >= DirectWriter.MIN_SIZE ? DirectWriter.open(target)
                        : Optional.empty();
                if (direct.isPresent()) {
                    try (DirectWriter w = direct.get()) {
                        w.write(source, size);
                    }
                } else {
                    source.copyTo(ch, size);
                }
                done = true;
            } finally {
                if (!done) {
                    Files.deleteIfExists(target);
                }
            }
            Files.setPosixFilePermissions(target, perms(mode | 0600));
        }

        private void link(Path target, String name) throws IOException {
            String untrustedTo = readName(Archive.MAX_NAME);
            if (untrustedTo.isEmpty() || untrustedTo.startsWith("/") || untrustedTo.indexOf('\0') >= 0) {
                throw new IOException("unsafe link target for " + printable(name));
            }
            // The target, seen from the link's directory, must stay inside the copied top directory.
            Path top = dest.resolve(dest.relativize(target).getName(0));
            Path resolved = target.getParent().resolve(untrustedTo).normalize();
            if (!resolved.startsWith(top) || resolved.equals(top.getParent())) {
                throw new IOException("link " + printable(name) + " points outside the copied files");
            }
            Files.createSymbolicLink(target, Path.of(untrustedTo));
        }

        private static String printable(String s) {
            StringBuilder b = new StringBuilder();
            for (char c : s.toCharArray()) {
                b.append(c < 0x20 || c == 0x7f ? '?' : c);
            }
            return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
        }
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                s.add(all[i]);
            }
        }
        return s;
    }
}
