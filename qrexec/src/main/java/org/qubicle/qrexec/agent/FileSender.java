package org.qubicle.qrexec.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.qubicle.qrexec.filecopy.Archive;
import org.qubicle.qrexec.wire.Frames;

/**
 * {@code qvm-copy [--without-progress] FILE...} (to the qube the policy or the user picks),
 * {@code qvm-copy-to-vm VM FILE...}, and the {@code qvm-move} variants, which remove the
 * sources once the receiver said OK. Sends an {@link Archive} stream to {@code qubes.Filecopy};
 * progress goes to stderr. Exit: 0 on success, 1 when the receiver refused, 126 when the call
 * was refused.
 */
final class FileSender {
    private FileSender() {
    }

    static int main(String tool, String[] args) {
        boolean progress = true;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--without-progress")) {
                progress = false;
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: " + tool + (tool.endsWith("-to-vm") ? " VM" : "") + " [--without-progress] FILE...");
                return 0;
            } else {
                rest.add(a);
            }
        }
        String target = "@default";
        if (tool.endsWith("-to-vm")) {
            if (rest.isEmpty()) {
                System.err.println("usage: " + tool + " VM FILE...");
                return 2;
            }
            target = rest.remove(0);
        }
        if (rest.isEmpty()) {
            System.err.println("usage: " + tool + " FILE...");
            return 2;
        }
        List<Path> files = rest.stream().map(Path::of).toList();
        for (Path f : files) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                System.err.println(tool + ": " + f + ": no such file");
                return 1;
            }
        }
        try (Channel c = Channel.open(target, "qubes.Filecopy")) {
            long total = totalSize(files);
            Progress p = new Progress(progress, total);
            ByteArrayOutputStream remoteOut = new ByteArrayOutputStream();
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    send(c, files, p);
                } catch (IOException e) {
                    p.failed = e.getMessage();
                }
            });
            int code = ClientVm.receive(c, remoteOut, new FileOutputStream(FileDescriptor.err), null);
            sender.join(5000);
            p.done();
            String answer = remoteOut.toString(StandardCharsets.UTF_8).strip();
            if (code == ClientVm.REFUSED || code == ClientVm.LOCAL_ERROR) {
                return code;
            }
            if (code != 0 || !answer.equals("OK")) {
                System.err.println(tool + ": the receiving qube refused the files: "
                        + (answer.isEmpty() ? "exit " + code : answer));
                return 1;
            }
            if (tool.startsWith("qvm-move")) {
                for (Path f : files) {
                    deleteTree(f);
                }
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            return ClientVm.LOCAL_ERROR;
        } catch (InterruptedException e) {
            return ClientVm.LOCAL_ERROR;
        }
    }

    /** Progress on stderr: a percentage line rewritten in place, at most every 1% step. */
    static final class Progress {
        final boolean show;
        final long total;
        long sent;
        int shown = -1;
        volatile String failed;

        Progress(boolean show, long total) {
            this.show = show;
            this.total = Math.max(1, total);
        }

        void add(long n) {
            sent += n;
            int pct = (int) (sent * 100 / total);
            if (show && pct != shown) {
                shown = pct;
                System.err.print("\rsent " + (sent >> 10) + " KiB of " + (total >> 10) + " KiB (" + pct + "%)");
            }
        }

        void done() {
            if (show && shown >= 0) {
                System.err.println();
            }
        }
    }

    private static long totalSize(List<Path> files) throws IOException {
        long[] sum = {0};
        for (Path f : files) {
            Files.walkFileTree(f, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes a) {
                    if (a.isRegularFile()) {
                        sum[0] += a.size();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return sum[0];
    }

    private static void send(Channel c, List<Path> files, Progress p) throws IOException {
        OutputStream frames = new FrameOutput(c);
        DataOutputStream out = new DataOutputStream(frames);
        out.write(Archive.MAGIC);
        for (Path f : files) {
            Path base = f.toAbsolutePath().normalize();
            Path parent = base.getParent();
            Files.walkFileTree(base, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    entry(out, Archive.DIR, parent.relativize(d), d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path x, BasicFileAttributes a) throws IOException {
                    if (a.isSymbolicLink()) {
                        entry(out, Archive.LINK, parent.relativize(x), x);
                        byte[] t = Files.readSymbolicLink(x).toString().getBytes(StandardCharsets.UTF_8);
                        out.writeShort(t.length);
                        out.write(t);
                    } else if (a.isRegularFile()) {
                        entry(out, Archive.FILE, parent.relativize(x), x);
                        out.writeLong(a.size());
                        copy(c, x, a.size(), out, p);
                    } else {
                        System.err.println("skipping " + x + ": not a file, directory or link");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        out.writeByte(Archive.END);
        out.writeShort(0);
        out.flush();
        c.endInput();
    }

    private static void entry(DataOutputStream out, int type, Path rel, Path file) throws IOException {
        byte[] name = rel.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > Archive.MAX_NAME) {
            throw new IOException("name too long: " + rel);
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (var perm : a.permissions()) {
            mode |= 1 << (8 - perm.ordinal());
        }
        out.writeByte(type);
        out.writeShort(name.length);
        out.write(name);
        out.writeShort(mode);
        out.writeLong(a.lastModifiedTime().toMillis() / 1000);
    }

    private static void copy(Channel c, Path x, long size, DataOutputStream out, Progress p) throws IOException {
        out.flush(); // the entry's header, before its data
        try (FileChannel in = FileChannel.open(x)) {
            c.sendFile(in, size, p::add);
        }
    }

    /** Buffers archive bytes into full STDIN frames. */
    private static final class FrameOutput extends OutputStream {
        private final Channel c;
        private final byte[] buf = new byte[Frames.MAX];
        private int n;

        FrameOutput(Channel c) {
            this.c = c;
        }

        @Override
        public void write(int b) throws IOException {
            if (n == buf.length) {
                flush();
            }
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (n == 0 && len >= buf.length) {
                    c.send(b, off, buf.length);
                    off += buf.length;
                    len -= buf.length;
                    continue;
                }
                int k = Math.min(len, buf.length - n);
                System.arraycopy(b, off, buf, n, k);
                n += k;
                off += k;
                len -= k;
                if (n == buf.length) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (n > 0) {
                c.send(buf, 0, n);
                n = 0;
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.walk(p)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(x);
                }
            }
        } else {
            Files.delete(p);
        }
    }
}
