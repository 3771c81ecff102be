package org.qubicle.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Asserts that nothing a test mounted or attached under its own directory is left: no
 * entry in {@code /proc/mounts}, no loop device in {@code losetup -a}. Other helpers run
 * tests on this machine at the same time, so only our directory counts.
 */
final class LeakCheck {
    private LeakCheck() {}

    static List<String> mounts(Path root) throws IOException {
        String prefix = root.toAbsolutePath().toString();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            String mp = org.qubicle.storage.linux.MountTable.unescape(f[1]);
            if (mp.startsWith(prefix)) {
                out.add(mp);
            }
        }
        return out;
    }

    static List<String> loops(Path root) {
        String prefix = root.toAbsolutePath().toString();
        List<String> out = new ArrayList<>();
        for (String line : Exec.check("losetup", "-a").split("\n")) {
            if (line.contains("(" + prefix)) {
                out.add(line);
            }
        }
        return out;
    }

    /** Fails if anything of ours is still mounted or attached. */
    static void assertClean(Path root) throws IOException {
        assertEquals(List.of(), mounts(root), "mounts left behind");
        // A loop device pinned by another helper's mount namespace goes when that ends
        // (Mounts.detach); give it a bounded while before calling it a leak.
        for (int i = 0; i < 100 && !loops(root).isEmpty(); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(List.of(), loops(root), "loop devices left behind");
    }

    /** After a failed test: unmount and detach whatever is left, so the next test starts clean. */
    static void forceCleanup(Path root) throws IOException {
        List<String> left = new ArrayList<>(mounts(root));
        left.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : left) {
            Exec.run("umount", "-l", mp);
        }
        for (String line : loops(root)) {
            Exec.run("losetup", "-d", line.substring(0, line.indexOf(':')));
        }
    }
}
