package org.qubicle.daemon.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qubicle.model.exc.QubesException;

/**
 * mount(8) and the mount table for the daemon's own mounts (idmapped views and overlays).
 * Everything about them is read back from {@code /proc/self/mountinfo}, so a restarted
 * daemon sees what is mounted.
 */
final class HostMounts {
    private HostMounts() {
    }

    /** Mount points at or below {@code dir}, deepest last as mountinfo lists them. */
    static List<Path> under(Path dir) {
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    Path p = Path.of(unescape(f[4]));
                    if (p.startsWith(dir)) {
                        out.add(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new QubesException("cannot read the mount table: " + e.getMessage());
        }
        return out;
    }

    static boolean isMounted(Path p) {
        return under(p).contains(p);
    }

    /** An overlay whose writes go to {@code upper} (work directory beside it). */
    static void overlay(Path lower, Path upper, Path target) {
        Path work = upper.resolveSibling(upper.getFileName() + ".work");
        mkdirs(upper);
        mkdirs(work);
        mkdirs(target);
        run("mount", "-t", "overlay", "-o", "nodev,nosuid,lowerdir=" + lower + ",upperdir=" + upper
                + ",workdir=" + work, "--", "overlay", target.toString());
    }

    /** Unmounts everything at and below {@code dir}, deepest first, then removes the empty directories. */
    static void unmountTree(Path dir) {
        List<Path> mounted = under(dir);
        for (int i = mounted.size() - 1; i >= 0; i--) {
            Path p = mounted.get(i);
            if (isMounted(p)) {
                run("umount", "--", p.toString());
            }
        }
        deleteEmptyDirs(dir);
    }

    /** Makes {@code dir} a shared mount, so namespaces copied from ours as slaves follow our unmounts. */
    static void makeShared(Path dir) {
        mkdirs(dir);
        if (!isMounted(dir)) {
            run("mount", "--bind", "--", dir.toString(), dir.toString());
            run("mount", "--make-shared", "--", dir.toString());
        }
    }

    static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new QubesException("cannot create " + p + ": " + e.getMessage());
        }
    }

    private static void deleteEmptyDirs(Path dir) {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || isMounted(dir)) {
            return;
        }
        try (var s = Files.list(dir)) {
            for (Path c : s.toList()) {
                if (Files.isDirectory(c, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !isMounted(c)) {
                    deleteEmptyDirs(c);
                }
            }
        } catch (IOException e) {
            return;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty: left for the next start
        }
    }

    static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new QubesException(String.join(" ", cmd) + ": " + out.strip());
            }
        } catch (IOException e) {
            throw new QubesException(String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesException("interrupted: " + String.join(" ", cmd));
        }
    }

    private static String unescape(String s) {
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
