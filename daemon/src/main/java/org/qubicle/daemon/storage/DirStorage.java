package org.qubicle.daemon.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.qubicle.driver.RootView;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.exc.QubesException;

/**
 * Directory-backed qube storage under {@code /var/lib/qubes}: the simple approach that runs
 * with the bubblewrap driver today, while pool images with idmapped overlays are not wired.
 *
 * <ul>
 *   <li>root: the template's {@code vm-templates/T/root-tree}, bound read-only (a
 *       TemplateVM and a StandaloneVM use their own tree; a DispVM its template's
 *       template's). Files are owned by host root, so the qube reads but never writes them.
 *   <li>private: {@code appvms/N/private} (or {@code vm-templates/N/private}), a directory
 *       owned by the qube's host base uid, with {@code home}. Its parent stays owned by root
 *       so the qube cannot swap the directory itself (docs/driver.md).
 * </ul>
 *
 * <p>Deviation from Qubes: no size limit on private data, no revisions, and a template's
 * changes are not possible from inside (its root is read-only).
 */
public final class DirStorage implements QubeStorage {
    private final Path varLibQubes;
    private final boolean chown;

    /**
     * @param chown whether to give the private directory to the qube's uid (needs root;
     *              false for unit tests with the fake driver)
     */
    public DirStorage(Path varLibQubes, boolean chown) {
        this.varLibQubes = varLibQubes;
        this.chown = chown;
    }

    /** {@code vm-templates/NAME/root-tree} or {@code appvms/NAME/root-tree}: where a root tree lives. */
    public Path rootTree(Qube q) {
        return qubeDir(q).resolve("root-tree");
    }

    private Path qubeDir(Qube q) {
        return varLibQubes.resolve(q.klass() == QubeClass.TEMPLATE_VM ? "vm-templates" : "appvms").resolve(q.name());
    }

    private Path rootOf(Qube q) {
        Qube owner = q;
        for (int depth = 0; owner.template().isPresent() && depth < 4; depth++) {
            owner = owner.template().get();
        }
        Path tree = rootTree(owner);
        if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
            throw new QubesException("Start failed: no root file system for " + q.name() + " (" + tree
                    + "); install a template with qvm-template install");
        }
        return tree;
    }

    @Override
    public Prepared prepare(Qube q, long baseUid) {
        Path root = rootOf(q);
        Path priv = qubeDir(q).resolve("private");
        try {
            Files.createDirectories(qubeDir(q));
            Files.setPosixFilePermissions(qubeDir(q), PosixFilePermissions.fromString("rwxr-xr-x"));
            if (!Files.isDirectory(priv, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(priv);
            }
            Path home = priv.resolve("home");
            if (!Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(home);
                Files.createDirectory(home);
                Path user = home.resolve("user");
                Files.createDirectory(user);
            }
            if (chown && owner(priv) != baseUid) {
                // A qid (hence uid range) is stable, so this runs once per qube; after a
                // restore or a clone the whole tree moves to the new range.
                run("chown", "-R", "--no-dereference", baseUid + ":" + baseUid, priv.toString());
                run("chown", "-R", "--no-dereference", (baseUid + 1000) + ":" + (baseUid + 1000),
                        home.resolve("user").toString());
            }
        } catch (IOException e) {
            throw new QubesException("Start failed: private volume of " + q.name() + ": " + e.getMessage());
        }
        return new Prepared(root, RootView.READ_ONLY, priv);
    }

    @Override
    public Prepared adopt(Qube q, long baseUid) {
        return new Prepared(rootOf(q), RootView.READ_ONLY, qubeDir(q).resolve("private"));
    }

    @Override
    public void release(Qube q) {
        // Nothing is mounted for directory storage.
    }

    @Override
    public void remove(Qube q) {
        deleteTree(qubeDir(q));
    }

    private static long owner(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** Deletes a tree without following links (a qube may have planted symlinks in it). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
