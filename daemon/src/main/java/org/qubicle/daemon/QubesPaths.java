package org.qubicle.daemon;

import java.nio.file.Path;

/**
 * Every path the daemon uses, under one root (DESIGN §7). With root {@code /} these are the
 * paths of Qubes itself; tests and side-by-side instances use a temporary root.
 *
 * @param root the instance root, {@code $QUBES_ROOT} or {@code /}
 */
public record QubesPaths(Path root) {
    public QubesPaths {
        root = root.toAbsolutePath().normalize();
    }

    /** The root from {@code $QUBES_ROOT}, default {@code /}. */
    public static QubesPaths fromEnvironment() {
        String env = System.getenv("QUBES_ROOT");
        return new QubesPaths(Path.of(env == null || env.isEmpty() ? "/" : env));
    }

    private Path under(String qubesPath) {
        return root.resolve(qubesPath.substring(1));
    }

    /** {@code /var/lib/qubes}. */
    public Path varLibQubes() {
        return under("/var/lib/qubes");
    }

    /** {@code /var/lib/qubes/qubes.xml}. */
    public Path qubesXml() {
        return under("/var/lib/qubes/qubes.xml");
    }

    /**
     * {@code /var/run}: the sockets' directory and where qubes' volumes and roots are mounted,
     * with links resolved. On most hosts {@code /var/run} is a link to {@code /run}, and the
     * kernel's mount table names real paths: a mount point under the link would never be
     * found there again.
     */
    public Path runDir() {
        Path p = under("/var/run");
        try {
            return p.toRealPath();
        } catch (java.io.IOException e) {
            return p; // not there yet (a fresh root): made as a directory, which is real
        }
    }

    /** {@code /var/run/qubesd.sock}: the Admin API socket. */
    public Path adminSocket() {
        return under("/var/run/qubesd.sock");
    }

    /** {@code /etc/qubes}. */
    public Path etcQubes() {
        return under("/etc/qubes");
    }

    /**
     * The lock that keeps a second daemon off this root. It is a file of its own beside
     * qubes.xml, since qubes.xml is replaced by rename on every save and a lock on it would
     * follow the old inode.
     */
    public Path lockFile() {
        return under("/var/lib/qubes/.qubesd.lock");
    }
}
