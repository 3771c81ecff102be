package org.qubicle.daemon.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.qubicle.model.exc.QubesException;

/**
 * User namespaces that map uid and gid 0..65535 to a qube's host range, for idmapped
 * mounts. One per base uid, made once and kept open for the daemon's life (an open
 * namespace file keeps the namespace without a process): a short-lived {@code unshare}
 * process creates it, we write its maps, open it and let the process go.
 */
final class UserNamespaces implements AutoCloseable {
    private static final long RANGE = 65536;
    private final Map<Long, Integer> fds = new HashMap<>();

    /** The namespace file descriptor for {@code baseUid}. */
    synchronized int forBase(long baseUid) {
        Integer fd = fds.get(baseUid);
        if (fd == null) {
            fd = create(baseUid);
            fds.put(baseUid, fd);
        }
        return fd;
    }

    private static int create(long baseUid) {
        Process p = null;
        try {
            // cat waits on its stdin, so the process lives until we close that.
            p = new ProcessBuilder("unshare", "--user", "cat").redirectErrorStream(true).start();
            Path ns = Path.of("/proc", Long.toString(p.pid()), "ns", "user");
            Path self = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Files.readSymbolicLink(ns).equals(self)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("unshare --user did not start");
                }
                Thread.sleep(1);
            }
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            String map = "0 " + baseUid + " " + RANGE + "\n";
            Files.writeString(proc.resolve("uid_map"), map);
            Files.writeString(proc.resolve("gid_map"), map);
            return org.qubicle.storage.linux.Mount.openReadOnly(ns);
        } catch (IOException | RuntimeException e) {
            throw new QubesException("cannot create a user namespace for uid " + baseUid + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesException("interrupted");
        } finally {
            if (p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        fds.values().forEach(org.qubicle.storage.linux.Mount::close);
        fds.clear();
    }
}
