package org.qubicle.daemon.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.driver.RootView;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeType;
import org.qubicle.storage.file.TreeImage;

/**
 * Qube storage on pool volumes (docs/storage.md): raw ext4 images in the file pool, shown to
 * the qube through idmapped mounts so that the files inside keep the qube's own uids
 * (0, 1000, ...) while the qube runs in its host uid range.
 *
 * <ul>
 *   <li>root of a TemplateVM or StandaloneVM: its own image, loop-mounted from the dirty
 *       copy, committed at stop. The bubblewrap driver binds a root without an upper
 *       layer read-only, so it is not yet writable from inside (see docs/storage.md).
 *   <li>root of an AppVM or DispVM: a snapshot of the template's committed root. The
 *       shared read-only lower mount is cloned idmapped; the driver composes its overlay
 *       over it with the upper layer in the volume's own throwaway image.
 *   <li>private: an origin image (size enforced by ext4), idmapped read-write; a DispVM's
 *       private is a snapshot of its disposable template's private, composed here as an
 *       overlay over an idmapped lower.
 *   <li>volatile: not started (namespace qubes have no swap and nothing mounts it); stopped,
 *       i.e. discarded, at release. kernel: nothing (the host kernel runs every qube).
 * </ul>
 * Our own mounts live under {@code RUN/idmap/QUBE/}; RUN/idmap is a shared mount while
 * anything is below it, so bubblewrap's namespaces (slaves) follow our unmounts.
 */
public final class PoolStorage implements QubeStorage, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PoolStorage.class.getName());

    private final Path varLibQubes;
    private final Volumes volumes;
    private final Path idmapRoot;
    private final UserNamespaces namespaces = new UserNamespaces();

    /**
     * @param varLibQubes {@code $QUBES_ROOT/var/lib/qubes}
     * @param runDir      where volumes are mounted ({@code $QUBES_ROOT/var/run/qubicle})
     */
    public PoolStorage(Path varLibQubes, Path runDir) {
        this.varLibQubes = varLibQubes;
        this.volumes = new Volumes(runDir);
        this.idmapRoot = runDir.resolve("idmap");
    }

    /** The pools and volumes behind the qubes (for the volume calls). */
    public Volumes volumes() {
        return volumes;
    }

    /** The Admin API's volume data calls on these volumes. */
    public PoolVolumeData apiBackend() {
        return new PoolVolumeData(volumes);
    }

    /** Volume images for backup and restore. */
    public VolumeData volumeData() {
        return new PoolSnapshots(volumes, idmapRoot.resolveSibling("snapshots"));
    }

    private Path qubeMounts(Qube q) {
        return idmapRoot.resolve(q.name());
    }

    @Override
    public Prepared prepare(Qube q, long baseUid) {
        long t0 = System.nanoTime();
        Prepared p = prepareTimed(q, baseUid);
        // For the start benchmark (daemon/bench/life.sh): the storage share of a start.
        LOG.info(() -> String.format("storage of %s prepared in %.1f ms", q.name(), (System.nanoTime() - t0) / 1e6));
        return p;
    }

    private Prepared prepareTimed(Qube q, long baseUid) {
        volumes.requireIdle(q);
        List<Volume> started = new ArrayList<>();
        try {
            ensureRootImage(q);
            // volatile is not started: a namespace qube has no swap and nowhere to mount it,
            // and a fresh one would cost an mkfs at every start for nothing. Its release
            // (stop) still discards whatever an earlier version left.
            for (String name : List.of("root", "private")) {
                Optional<Volume> v = volumes.find(q, name);
                if (v.isEmpty()) {
                    continue;
                }
                Volume vol = v.get();
                if (vol.config().type() == VolumeType.SNAPSHOT && !name.equals("root")) {
                    // A DispVM's private snapshots its disposable template's, which may
                    // never have run: that one is created empty first.
                    q.template().flatMap(t -> volumes.find(t, name)).filter(t -> t.config().type() == VolumeType.ORIGIN)
                            .filter(t -> !exists(t)).ifPresent(Volume::create);
                }
                if (vol.config().type() == VolumeType.ORIGIN && !exists(vol)) {
                    // A new qube's first start: an empty image, formatted at mount.
                    vol.create();
                }
                vol.verify();
                vol.start();
                started.add(vol);
            }
            return mountAll(q, baseUid);
        } catch (RuntimeException e) {
            quietly(() -> HostMounts.unmountTree(qubeMounts(q)));
            for (Volume v : started.reversed()) {
                quietly(v::stop);
            }
            unshareIfIdle();
            throw e instanceof QubesException ? e : new QubesException("Start failed: storage of " + q.name()
                    + ": " + e.getMessage());
        }
    }

    @Override
    public Prepared adopt(Qube q, long baseUid) {
        // Volumes are started; mount() adopts what is mounted and our views are rebuilt
        // only where missing.
        try {
            return mountAll(q, baseUid);
        } catch (StoragePoolException e) {
            // Not started (the qube died and its storage was released): the driver finds
            // it dead and the lifecycle releases it again, which is harmless.
            Path dir = qubeMounts(q);
            return new Prepared(dir.resolve("root"), RootView.READ_ONLY, dir.resolve("private"));
        }
    }

    private Prepared mountAll(Qube q, long baseUid) {
        Path dir = qubeMounts(q);
        Volume root = volumes.find(q, "root").orElseThrow(() -> new QubesException(q.name() + " has no root volume"));
        Volume priv = volumes.find(q, "private").orElseThrow(() -> new QubesException(q.name() + " has no private volume"));
        Mounted rootM = root.mount();
        Mounted privM = priv.mount();
        HostMounts.makeShared(idmapRoot);
        int ns = namespaces.forBase(baseUid);
        Path rootfs = dir.resolve("root");
        RootView view;
        if (rootM.layers().isPresent()) {
            Mounted.Layers l = rootM.layers().get();
            idmap(l.lower(), rootfs, ns, true);
            view = new RootView.Overlay(l.upper().resolveSibling("qube"));
        } else {
            // The qube's own root (a template's): its writes are what the template commits
            // at shutdown for the AppVMs based on it.
            idmap(rootM.path(), rootfs, ns, false);
            view = RootView.WRITABLE;
        }
        Path privDir = dir.resolve("private");
        if (privM.layers().isPresent()) {
            // A DispVM's private: overlay over its disposable template's private, composed
            // here over an idmapped lower (an overlay itself cannot be idmapped).
            Mounted.Layers l = privM.layers().get();
            Path lower = dir.resolve("private-lower");
            idmap(l.lower(), lower, ns, true);
            if (!HostMounts.isMounted(privDir)) {
                HostMounts.overlay(lower, l.upper().resolveSibling("qube"), privDir);
                ensureHome(privDir, baseUid, baseUid + 1000);
            }
        } else {
            ensureHome(privM.path(), 0, 1000);
            idmap(privM.path(), privDir, ns, false);
        }
        return new Prepared(rootfs, view, privDir);
    }

    private static void idmap(Path source, Path target, int ns, boolean readOnly) {
        if (HostMounts.isMounted(target)) {
            return;
        }
        HostMounts.mkdirs(target);
        org.qubicle.storage.linux.Mount.bindIdmapped(source, target, ns, readOnly);
    }

    /** {@code home/user} in a private volume, as the driver needs it (owners as seen through {@code dir}). */
    private static void ensureHome(Path dir, long rootUid, long userUid) {
        Path home = dir.resolve("home");
        Path user = home.resolve("user");
        try {
            if (!Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(home);
                Files.createDirectory(home);
                chown(home, rootUid);
                Files.setAttribute(home, "unix:mode", 0755);
            }
            if (!Files.exists(user, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(user);
                chown(user, userUid);
                // 0755 as before: bubblewrap enters it as root without CAP_DAC_OVERRIDE.
                Files.setAttribute(user, "unix:mode", 0755);
            }
        } catch (IOException e) {
            throw new QubesException("cannot prepare the private volume's home: " + e.getMessage());
        }
    }

    private static void chown(Path p, long uid) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A template installed as a directory tree ({@code root-tree}, as qvm-template writes
     * it) gets its root image built from the tree once, at its first use.
     */
    private void ensureRootImage(Qube q) {
        Qube owner = q;
        for (int depth = 0; owner.template().isPresent() && depth < 4; depth++) {
            owner = owner.template().get();
        }
        Optional<Volume> root = volumes.find(owner, "root");
        if (root.isEmpty() || root.get().config().type() != VolumeType.ORIGIN || exists(root.get())) {
            return;
        }
        Path dir = varLibQubes.resolve(owner.klass() == QubeClass.TEMPLATE_VM ? "vm-templates" : "appvms")
                .resolve(owner.name());
        Path tree = dir.resolve("root-tree");
        if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
            throw new QubesException("Start failed: no root file system for " + q.name() + " (" + owner.name()
                    + " has no root volume); install a template with qvm-template install");
        }
        // Built in place of the committed image (the file pool's layout, docs/storage.md):
        // going through importData would read the whole sparse image once more.
        Path tmp = dir.resolve("root.img~tree");
        try {
            TreeImage.build(tree, tmp, root.get().config().size());
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, dir.resolve("root.img"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new QubesException("cannot build the root image of " + owner.name() + ": " + e.getMessage());
        } finally {
            quietly(() -> Files.deleteIfExists(tmp));
        }
    }

    private static boolean exists(Volume v) {
        try {
            v.verify();
            return true;
        } catch (StoragePoolException e) {
            return false;
        }
    }

    @Override
    public void release(Qube q) {
        RuntimeException first = null;
        try {
            HostMounts.unmountTree(qubeMounts(q));
        } catch (RuntimeException e) {
            first = e;
        }
        for (String name : List.of("root", "private", "volatile")) {
            Optional<Volume> v = volumes.find(q, name);
            if (v.isPresent()) {
                try {
                    v.get().stop();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "stopping " + q.name() + ":" + name + " failed", e);
                    first = first == null ? e : first;
                }
            }
        }
        unshareIfIdle();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void remove(Qube q) {
        release(q);
        for (String name : q.volumes().keySet()) {
            volumes.find(q, name).ifPresent(Volume::remove);
        }
        Path dir = varLibQubes.resolve(q.klass() == QubeClass.TEMPLATE_VM ? "vm-templates" : "appvms").resolve(q.name());
        DirStorage.deleteTree(dir);
    }

    private void unshareIfIdle() {
        synchronized (idmapRoot) {
            List<Path> m = HostMounts.under(idmapRoot);
            if (m.size() == 1 && m.get(0).equals(idmapRoot)) {
                quietly(() -> HostMounts.unmountTree(idmapRoot));
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step s) {
        try {
            s.run();
        } catch (Exception e) {
            LOG.log(Level.FINE, "cleanup step failed", e);
        }
    }

    /** Lets background copies (precache after a commit) finish, then drops the namespace handles. */
    @Override
    public void close() {
        try {
            volumes.awaitBackgroundWork();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        namespaces.close();
    }
}
