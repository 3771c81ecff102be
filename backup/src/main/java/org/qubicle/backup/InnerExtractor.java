package org.qubicle.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.qubicle.backup.tar.DataSink;
import org.qubicle.backup.tar.InnerEntry;
import org.qubicle.backup.tar.InnerTarReader;

/**
 * Untars the decompressed stream of one backed-up file, safely. A qube file
 * ({@code vm3/private.img}) must hold exactly one regular member of that name; a dom0
 * home ({@code dom0-home/user}) may hold a tree below that name. Absolute names,
 * {@code ..}, links that leave the tree, hard links and devices are refused. With a
 * null root nothing is written (verify-only), but everything is still parsed.
 */
final class InnerExtractor {
    /** Largest logical size of a restored file (holes included): 64 TiB. */
    static final long MAX_REAL_SIZE = 1L << 46;

    private InnerExtractor() {}

    /** A restored (or verified) file: its name inside the backup and its logical size. */
    record Extracted(String name, long size) {}

    static List<Extracted> extract(InputStream decompressed, String fileName, boolean tree, Path root)
            throws IOException {
        String where = "archive " + fileName;
        InnerTarReader tar = new InnerTarReader(decompressed, where);
        List<Extracted> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        InnerEntry e;
        while ((e = tar.next()) != null) {
            String name = checkName(e.name(), where);
            if (tree) {
                String stripped = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                if (!stripped.equals(fileName) && !stripped.startsWith(fileName + "/")) {
                    throw new BackupCorruptedError(where + ": unexpected member " + name);
                }
                name = stripped;
            } else if (!name.equals(fileName) || e.kind() != InnerEntry.Kind.FILE || !out.isEmpty()) {
                throw new BackupCorruptedError(where + ": unexpected member " + name
                        + " (expected one regular file " + fileName + ")");
            }
            if (!seen.add(name)) {
                throw new BackupCorruptedError(where + ": duplicate member " + name);
            }
            if (e.realSize() > MAX_REAL_SIZE) {
                throw new BackupCorruptedError(where + ": member " + name + " claims an absurd size " + e.realSize());
            }
            Path target = root == null ? null : safeTarget(root, name, where);
            switch (e.kind()) {
                case FILE -> {
                    if (target == null) {
                        tar.copyData(DataSink.DISCARD);
                    } else {
                        writeFile(tar, target, e.realSize());
                    }
                }
                case DIRECTORY -> {
                    if (target != null) {
                        Files.createDirectories(target);
                    }
                }
                case SYMLINK -> {
                    String link = e.linkTarget();
                    Path parent = Path.of(name).getParent();
                    Path resolved = (parent == null ? Path.of("") : parent).resolve(link).normalize();
                    if (link.isEmpty() || link.startsWith("/") || resolved.startsWith("..")
                            || !resolved.startsWith(Path.of(fileName))) {
                        throw new BackupCorruptedError(where + ": symbolic link " + name + " -> " + link
                                + " leaves the restored tree");
                    }
                    if (target != null) {
                        Files.createSymbolicLink(target, Path.of(link));
                    }
                }
            }
            out.add(new Extracted(name, e.realSize()));
        }
        tar.expectOnlyPadding();
        if (out.isEmpty()) {
            throw new BackupCorruptedError(where + ": no " + fileName + " in archive");
        }
        return out;
    }

    /** Refuses absolute names and any {@code ..} component. */
    static String checkName(String untrustedName, String where) {
        if (untrustedName.isEmpty() || untrustedName.indexOf('\0') >= 0) {
            throw new BackupCorruptedError(where + ": empty or invalid member name");
        }
        if (untrustedName.startsWith("/")) {
            throw new BackupCorruptedError(where + ": refusing absolute path " + untrustedName);
        }
        for (String part : untrustedName.split("/", -1)) {
            if (part.equals("..")) {
                throw new BackupCorruptedError(where + ": refusing path with '..': " + untrustedName);
            }
        }
        return untrustedName;
    }

    /** The target path below root; no existing component may be a symbolic link. */
    private static Path safeTarget(Path root, String name, String where) throws IOException {
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
            throw new BackupCorruptedError(where + ": refusing path outside the restore directory: " + name);
        }
        Path p = root;
        for (Path part : root.relativize(target)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                throw new BackupCorruptedError(where + ": refusing to write through symbolic link " + root.relativize(p));
            }
        }
        Files.createDirectories(target.getParent());
        return target;
    }

    private static void writeFile(InnerTarReader tar, Path target, long realSize) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            tar.copyData((offset, b, off, len) -> {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                long pos = offset;
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            });
        }
        // Holes are never written; setting the length keeps the tail hole sparse too.
        try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
            if (raf.length() < realSize) {
                raf.setLength(realSize);
            }
        }
    }
}
