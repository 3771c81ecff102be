package org.qubicle.daemon.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.qubicle.model.exc.QubesException;
import org.qubicle.storage.linux.Mount;
import org.qubicle.storage.linux.MountTable;

/**
 * The daemon's own mounts (idmapped views and overlays), made with the storage module's
 * direct Linux calls ({@link org.qubicle.storage.linux}) and read back from
 * {@code /proc/self/mountinfo}, so a restarted daemon sees what is mounted.
 */
final class HostMounts {
    private HostMounts() {
    }

    /** Mount points at or below {@code dir}, deepest last as mountinfo lists them. */
    static List<Path> under(Path dir) {
        return MountTable.under(dir);
    }

    static boolean isMounted(Path p) {
        return MountTable.isMounted(p);
    }

    /** An overlay whose writes go to {@code upper} (work directory beside it); nodev and nosuid. */
    static void overlay(Path lower, Path upper, Path target) {
        Path work = upper.resolveSibling(upper.getFileName() + ".work");
        mkdirs(upper);
        mkdirs(work);
        mkdirs(target);
        Mount.overlay(lower, upper, work, target, Mount.MS_NODEV | Mount.MS_NOSUID);
    }

    /** Unmounts everything at and below {@code dir}, deepest first, then removes the empty directories. */
    static void unmountTree(Path dir) {
        List<Path> mounted = under(dir);
        for (int i = mounted.size() - 1; i >= 0; i--) {
            // false: already gone with a mount above it (a stacked or repeated entry).
            Mount.unmount(mounted.get(i));
        }
        deleteEmptyDirs(dir);
    }

    /** Makes {@code dir} a shared mount, so namespaces copied from ours as slaves follow our unmounts. */
    static void makeShared(Path dir) {
        mkdirs(dir);
        if (!isMounted(dir)) {
            Mount.bind(dir, dir);
            Mount.makeShared(dir);
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

    /** Runs a host tool (fsfreeze for backups); the start and stop path spawns none. */
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
}
