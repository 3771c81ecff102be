package org.qubicle.driver.rootfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a minimal root filesystem from the host's static busybox (Debian package
 * {@code busybox-static}): {@code /bin/busybox} with its applet symlinks, {@code /etc/passwd}
 * and {@code /etc/group} with {@code root} and {@code user} (1000), {@code /home/user},
 * and the mount points a qube needs. Fast tests and {@code qvm-template install minimal}
 * use it.
 *
 * <pre>{@code
 * BusyboxRootfs.build(dir);                  // owned by host root: a read-only template
 * BusyboxRootfs.build(dir, spec.baseUid());  // owned by the qube's range: writable by its root
 * }</pre>
 */
public final class BusyboxRootfs {
    /** Where Debian's busybox-static installs the binary. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final List<String> DIRS = List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "dev",
            "sys", "tmp", "run", "rw", "home/user", "root", "var/tmp", "var/log", "mnt");

    private BusyboxRootfs() {
    }

    /** Builds the rootfs owned by host root. */
    public static void build(Path dir) throws IOException {
        build(dir, -1);
    }

    /**
     * Builds the rootfs in {@code dir} (created if needed; existing files are kept).
     *
     * @param ownerBase when not -1, chown everything so that the qube whose base uid this
     *                  is owns it as root (and {@code /home/user} as its user 1000)
     */
    public static void build(Path dir, long ownerBase) throws IOException {
        if (!Files.isExecutable(BUSYBOX)) {
            throw new IOException(BUSYBOX + " missing: install busybox-static");
        }
        for (String d : DIRS) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path bb = dir.resolve("bin/busybox");
        Files.copy(BUSYBOX, bb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets()) {
            if (applet.equals("busybox") || applet.contains("/")) {
                continue;
            }
            Path link = dir.resolve("bin").resolve(applet);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("busybox"));
        }
        Files.writeString(dir.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n");
        Files.writeString(dir.resolve("etc/shadow"), "root:*:19000::::::\nuser:*:19000::::::\n");
        Files.setPosixFilePermissions(dir.resolve("etc/shadow"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("etc/hostname"), "qube\n");
        if (ownerBase >= 0) {
            chownTree(dir, ownerBase);
            chown(dir.resolve("home/user"), ownerBase + 1000);
        }
    }

    private static List<String> applets() throws IOException {
        Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (var r = p.inputReader()) {
            r.lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException("busybox --list failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    private static void chownTree(Path dir, long uid) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                chown(p, uid);
            }
        }
    }

    private static void chown(Path p, long uid) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
