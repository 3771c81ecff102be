package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.driver.rootfs.BusyboxRootfs;

/** One busybox rootfs per test JVM, owned by host root (read-only to every qube). */
final class TestRootfs {
    private static Path shared;

    private TestRootfs() {
    }

    static synchronized Path shared() throws IOException {
        if (shared == null) {
            Path dir = Files.createTempDirectory("qubicle-rootfs-");
            BusyboxRootfs.build(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Host.deleteTree(dir);
                } catch (IOException e) {
                    // best effort at JVM exit
                }
            }));
            shared = dir;
        }
        return shared;
    }

    /** chown -R to a qube's range: its root owns the tree, its user owns home/user. */
    static void giveTo(Path dir, long base) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                long uid = p.toString().contains("/home/user") ? base + 1000 : base;
                Files.setAttribute(p, "unix:uid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }
}
