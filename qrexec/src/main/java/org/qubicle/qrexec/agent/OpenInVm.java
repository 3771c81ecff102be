package org.qubicle.qrexec.agent;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qvm-open-in-vm [--view-only] VM FILE} and {@code qvm-open-in-dvm [--view-only] FILE}
 * (a fresh disposable per call) over {@code qubes.OpenInVM}, and its service side
 * {@code qopen-in-vm}. Qubicle's own stream, both ends ours:
 * <pre>
 * caller -> service:  "QOV1\n", name length (2 bytes) and UTF-8 base name, size (8 bytes), data
 * service -> caller:  "QOV1\n", then 'S' (unchanged) or 'C' (changed) + size (8 bytes) + data,
 *                     or 'E' + length (2 bytes) + UTF-8 message
 * </pre>
 * The service saves the file under a fresh directory in its {@code /tmp}, runs the qube's opener
 * ({@code xdg-open FILE}, waiting for it to exit), and sends the file back if it changed; the
 * caller then replaces its file atomically (unless {@code --view-only}). Names are reduced to a
 * safe base name; sizes are capped by {@link FileReceiver#maxBytes()} and the free space.
 */
final class OpenInVm {
    static final byte[] MAGIC = "QOV1\n".getBytes(StandardCharsets.US_ASCII);
    /** Largest edited file taken back (it is held in memory). */
    static final long MAX_BACK = 128L << 20;

    private OpenInVm() {
    }

    static int send(boolean dispvm, String[] args) {
        String tool = dispvm ? "qvm-open-in-dvm" : "qvm-open-in-vm";
        boolean viewOnly = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--view-only")) {
                viewOnly = true;
            } else {
                rest.add(a);
            }
        }
        if (rest.size() != (dispvm ? 1 : 2)) {
            System.err.println("usage: " + tool + " [--view-only] " + (dispvm ? "" : "VM ") + "FILE");
            return 2;
        }
        String target = dispvm ? "@dispvm" : rest.get(0);
        Path file = Path.of(rest.get(rest.size() - 1));
        if (!Files.isRegularFile(file)) {
            System.err.println(tool + ": " + file + ": not a regular file");
            return 1;
        }
        try (Channel c = Channel.open(target, "qubes.OpenInVM")) {
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    sendFile(c, file);
                } catch (IOException e) {
                    // the call ended first
                }
            });
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            int code = ClientVm.receive(c, new CappedOutput(back, MAX_BACK),
                    new FileOutputStream(FileDescriptor.err), null);
            sender.join(2000);
            if (code != 0) {
                return code;
            }
            return takeBack(tool, file, back.toByteArray(), viewOnly);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            return ClientVm.LOCAL_ERROR;
        } catch (InterruptedException e) {
            return ClientVm.LOCAL_ERROR;
        }
    }

    private static void sendFile(Channel c, Path file) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(h);
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        d.write(MAGIC);
        d.writeShort(name.length);
        d.write(name);
        d.writeLong(Files.size(file));
        byte[] head = h.toByteArray();
        c.send(head, 0, head.length);
        try (InputStream in = Files.newInputStream(file)) {
            c.sendAll(in);
        }
    }

    /** The service's answer: replace the file if it came back changed. */
    private static int takeBack(String tool, Path file, byte[] untrustedAnswer, boolean viewOnly) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(untrustedAnswer));
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("bad answer");
            }
            int kind = in.readUnsignedByte();
            if (kind == 'S') {
                return 0;
            }
            if (kind == 'E') {
                byte[] m = new byte[Math.min(in.readUnsignedShort(), 1024)];
                in.readFully(m);
                System.err.println(tool + ": " + new String(m, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?"));
                return 1;
            }
            if (kind != 'C') {
                throw new IOException("bad answer");
            }
            long size = in.readLong();
            if (size < 0 || size != in.available()) {
                throw new IOException("bad size in answer");
            }
            if (viewOnly) {
                System.err.println(tool + ": the file was changed in the other qube; --view-only keeps ours");
                return 0;
            }
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".qvm-open-", ".tmp");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        } catch (EOFException e) {
            throw new IOException("truncated answer");
        }
    }

    /** The service ({@code qopen-in-vm}): receive, open, send back if changed. */
    static int serve(String[] args) {
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        DataOutputStream d = new DataOutputStream(out);
        try {
            d.write(MAGIC);
            DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                return fail(d, "not a qubicle open-in-vm stream");
            }
            int len = in.readUnsignedShort();
            if (len > 255) {
                return fail(d, "name too long");
            }
            byte[] rawName = new byte[len];
            in.readFully(rawName);
            String name = safeBaseName(new String(rawName, StandardCharsets.UTF_8));
            long size = in.readLong();
            Path dir = Files.createTempDirectory("qopen-");
            if (size < 0 || size > FileReceiver.maxBytes() || size > Files.getFileStore(dir).getUsableSpace()) {
                return fail(d, "file too large");
            }
            Path file = dir.resolve(name);
            try (OutputStream f = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                    LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[1 << 16];
                long left = size;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new EOFException();
                    }
                    f.write(buf, 0, n);
                    left -= n;
                }
            }
            byte[] before = digest(file);
            int rc = open(file);
            if (rc != 0) {
                return fail(d, "the opener exited with " + rc);
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return fail(d, "the opened file is gone");
            }
            if (java.util.Arrays.equals(before, digest(file))) {
                d.writeByte('S');
            } else {
                d.writeByte('C');
                d.writeLong(Files.size(file));
                Files.copy(file, d);
            }
            d.flush();
            return 0;
        } catch (IOException e) {
            try {
                return fail(d, e.getMessage() == null ? e.toString() : e.getMessage());
            } catch (IOException x) {
                return 1;
            }
        }
    }

    /** Runs {@code xdg-open FILE} (the qube's opener; our templates may provide a script) and waits. */
    private static int open(Path file) throws IOException {
        try {
            Process p = new ProcessBuilder("xdg-open", file.toString()).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return p.waitFor();
        } catch (InterruptedException e) {
            return 1;
        }
    }

    static String safeBaseName(String untrusted) {
        String s = untrusted.replace('/', '_').replaceAll("\\p{Cntrl}", "_");
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            s = "file";
        }
        if (s.startsWith("-")) {
            s = "_" + s.substring(1); // never an option to the opener
        }
        return s;
    }

    private static byte[] digest(Path f) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(f)) {
                byte[] b = new byte[1 << 16];
                for (int n = in.read(b); n >= 0; n = in.read(b)) {
                    md.update(b, 0, n);
                }
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static int fail(DataOutputStream d, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        d.writeByte('E');
        d.writeShort(Math.min(m.length, 1024));
        d.write(m, 0, Math.min(m.length, 1024));
        d.flush();
        return 1;
    }

    /** Stops collecting past a cap (a hostile service cannot fill our memory). */
    private static final class CappedOutput extends OutputStream {
        private final ByteArrayOutputStream to;
        private final long cap;

        CappedOutput(ByteArrayOutputStream to, long cap) {
            this.to = to;
            this.cap = cap;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (to.size() + (long) len > Math.min(cap, Integer.MAX_VALUE - 16)) {
                throw new IOException("answer too large");
            }
            to.write(b, off, len);
        }
    }
}
