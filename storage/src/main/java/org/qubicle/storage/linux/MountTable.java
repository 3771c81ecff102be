package org.qubicle.storage.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.exc.StoragePoolException;

/**
 * The mount table as {@code /proc/self/mountinfo} lists it, so nothing about a mount lives
 * only in memory: a restarted daemon sees exactly what is mounted.
 */
public final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {}

    /** One mount: point, file system type, source, super options, and whether it propagates as shared. */
    public record Entry(Path mountPoint, String fsType, String source, String superOptions, boolean shared) {}

    /** Every mount, in mountinfo's order (a mount stacked on another comes after it). */
    public static List<Entry> read() {
        String text;
        try {
            // One read and one decoding of the whole file, not a reader's line by line.
            text = new String(Files.readAllBytes(MOUNTINFO), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoragePoolException("Cannot read " + MOUNTINFO + ": " + e.getMessage());
        }
        return parse(text.lines().toList());
    }

    /** Parses mountinfo lines; malformed ones are skipped. */
    public static List<Entry> parse(List<String> lines) {
        List<Entry> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 6 || f.length < dash + 4) {
                continue;
            }
            boolean shared = false;
            for (int i = 6; i < dash; i++) {
                shared |= f[i].startsWith("shared:");
            }
            out.add(new Entry(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]),
                    unescape(f[dash + 3]), shared));
        }
        return out;
    }

    /** The last (topmost) mount at this point, if any. */
    public static Optional<Entry> at(Path mountPoint) {
        Entry found = null;
        for (Entry e : read()) {
            if (e.mountPoint().equals(mountPoint)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether a mount sits at this point: statx's answer where the kernel gives one, else the table's. */
    public static boolean isMounted(Path mountPoint) {
        return Stat.mountRoot(mountPoint).orElseGet(() -> at(mountPoint).isPresent());
    }

    /** Mount points at or below {@code dir}, deepest last as mountinfo lists them. */
    public static List<Path> under(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Entry e : read()) {
            if (e.mountPoint().startsWith(dir)) {
                out.add(e.mountPoint());
            }
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
