package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.qubicle.model.exc.QubesPoolInUseError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Capability;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;
import org.qubicle.storage.VolumeType;

/**
 * A file pool: images under {@code dir_path} ({@code appvms/NAME/} and
 * {@code vm-templates/NAME/}), mounts under {@code RUN/storage/POOL/}.
 */
final class FilePool implements Pool {
    private static final List<String> QUBE_DIRS = List.of("appvms", "vm-templates");

    private final PoolConfig config;
    private final Path dirPath;
    private final Path runRoot;
    private final Map<VolumeId, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ReentrantLock mountLock = new ReentrantLock();
    private final Set<Thread> background = ConcurrentHashMap.newKeySet();
    private final BlankImages blanks;
    private final Set<VolumeId> scanned = ConcurrentHashMap.newKeySet();

    FilePool(PoolConfig config, Path dirPath, Path runDir) {
        this.config = config;
        this.dirPath = dirPath.toAbsolutePath().normalize();
        this.runRoot = runDir.toAbsolutePath().normalize().resolve("storage").resolve(config.name());
        this.blanks = new BlankImages(this.dirPath, this::background);
    }

    /** True the first time it is asked for this volume in this process (see {@link FileMounts}). */
    boolean firstUnmount(VolumeId vid) {
        return scanned.add(vid);
    }

    /** Pre-formatted blank images for throwaway layers. */
    BlankImages blanks() {
        return blanks;
    }

    Layout layout(VolumeId vid) {
        return new Layout(dirPath, runRoot, vid);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public Set<Capability> capabilities() {
        return FilePoolDriver.CAPABILITIES;
    }

    @Override
    public void setup() {
        FileOps.ensureDir(dirPath);
        for (String d : QUBE_DIRS) {
            FileOps.ensureDir(dirPath.resolve(d));
        }
    }

    @Override
    public void destroy() {
        if (!volumeIds().isEmpty()) {
            throw new QubesPoolInUseError("Pool " + config.name() + " still holds volumes");
        }
        // dir_path is shared with qubes.xml and the kernels; only our runtime dir and blanks go.
        blanks.removeAll();
        try {
            Files.deleteIfExists(runRoot.resolve("vol"));
            Files.deleteIfExists(runRoot.resolve("upper"));
            Files.deleteIfExists(runRoot.resolve("lower"));
            Files.deleteIfExists(runRoot);
        } catch (IOException e) {
            throw FileOps.fail("remove " + runRoot, e);
        }
    }

    @Override
    public Volume volume(VolumeConfig vc) {
        if (!vc.pool().equals(config.name())) {
            throw new StoragePoolException("Volume " + vc.name() + " belongs to pool " + vc.pool()
                    + ", not " + config.name());
        }
        if (vc.vid() == null) {
            throw new StoragePoolException("Volume " + vc.name() + " has no vid");
        }
        if (vc.type() == VolumeType.SNAPSHOT_AND_ORIGIN) {
            throw new StoragePoolException("Volume " + vc.vid()
                    + ": the file pool refuses snap_on_start together with save_on_stop");
        }
        return new FileVolume(this, vc, locks.computeIfAbsent(vc.vid(), k -> new ReentrantLock()));
    }

    @Override
    public List<VolumeId> volumeIds() {
        // A file may vanish while the tree is walked (a precache or import copy renamed into
        // place, a volume removed): walk again, a few times, rather than fail the listing.
        for (int attempt = 1; ; attempt++) {
            try {
                return walkVolumeIds();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private List<VolumeId> walkVolumeIds() {
        List<VolumeId> out = new ArrayList<>();
        for (String d : QUBE_DIRS) {
            Path top = dirPath.resolve(d);
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(top, 2)) {
                s.filter(Files::isRegularFile).forEach(p -> {
                    String n = p.getFileName().toString();
                    String stem = n.endsWith("-dirty.img") ? n.substring(0, n.length() - 10)
                            : n.endsWith(".img") && !n.endsWith("-import.img") && !n.endsWith("-precache.img")
                                    ? n.substring(0, n.length() - 4) : null;
                    if (stem != null && !stem.isEmpty()) {
                        try {
                            VolumeId vid = new VolumeId(dirPath.relativize(p.resolveSibling(stem)).toString());
                            if (!out.contains(vid)) {
                                out.add(vid);
                            }
                        } catch (RuntimeException e) {
                            // A file we did not name; not a volume of ours.
                        }
                    }
                });
            } catch (IOException e) {
                throw FileOps.fail("list " + top, e);
            }
        }
        out.sort((a, b) -> a.value().compareTo(b.value()));
        return out;
    }

    private FileStore store() throws IOException {
        return Files.getFileStore(Files.exists(dirPath) ? dirPath : dirPath.getRoot());
    }

    @Override
    public long size() {
        try {
            return store().getTotalSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public long usage() {
        try {
            FileStore s = store();
            return s.getTotalSpace() - s.getUnallocatedSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public Map<String, String> usageDetails() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data_size", Long.toString(size()));
        m.put("data_usage", Long.toString(usage()));
        return m;
    }

    /** Runs background work on a virtual thread that {@link #awaitBackgroundWork()} can wait for. */
    void background(String name, Runnable body) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                background.remove(Thread.currentThread());
            }
        });
        background.add(t);
        t.start();
    }

    @Override
    public void awaitBackgroundWork() throws InterruptedException {
        for (Thread t : List.copyOf(background)) {
            t.join();
        }
    }

    void withMountLock(Runnable body) {
        mountLock.lock();
        try {
            body.run();
        } finally {
            mountLock.unlock();
        }
    }

    /**
     * Our mounts live below the run root, which is made a shared mount while any of them
     * exists. A mount namespace copied from the host as a slave (bubblewrap, ip netns exec)
     * then receives our unmounts instead of pinning the loop devices until it ends. When
     * the last mount goes, the run root's own bind mount goes too. Call under the mount lock.
     */
    void shareRunRoot() {
        Mounts.makeShared(runRoot);
    }

    /**
     * The shared read-only mount of a committed image, keyed by its inode: every snapshot
     * hard-linked to the same committed root uses one mount. Call under the mount lock.
     */
    Path acquireLower(Path image, String vid) {
        String key = FileOps.inodeKey(image);
        if (key == null) {
            throw new StoragePoolException("Missing image file " + image + " for volume " + vid);
        }
        Path lower = lowerPath(key);
        if (!Mounts.isMounted(lower)) {
            Ext4.Extent fs = Ext4.requireExt(image, vid);
            // noload: a committed image is never replayed or written, whatever its journal says.
            Mounts.mountImage(image, fs, lower, true, "noload");
        }
        return lower;
    }

    Path lowerPath(String inodeKey) {
        return runRoot.resolve("lower").resolve(inodeKey);
    }

    /**
     * Unmounts every shared lower that no overlay uses any more, then the run root's bind
     * mount once nothing is mounted below it, from one reading of the mount table. Call
     * under the mount lock.
     */
    void releaseIdleMounts() {
        Path lowerRoot = runRoot.resolve("lower");
        List<org.qubicle.storage.linux.MountTable.Entry> table = new ArrayList<>(Mounts.table());
        for (org.qubicle.storage.linux.MountTable.Entry e : List.copyOf(table)) {
            if (e.mountPoint().startsWith(lowerRoot) && !e.mountPoint().equals(lowerRoot)) {
                String needle = "lowerdir=" + e.mountPoint();
                boolean used = table.stream().anyMatch(o -> o.fsType().equals("overlay")
                        && (o.superOptions().contains(needle + ",") || o.superOptions().endsWith(needle)
                                || o.superOptions().contains(needle + ":")));
                if (!used) {
                    Mounts.unmount(e.mountPoint());
                    table.removeIf(o -> o.mountPoint().equals(e.mountPoint()));
                }
            }
        }
        boolean rootMounted = table.stream().anyMatch(e -> e.mountPoint().equals(runRoot));
        boolean busy = table.stream().anyMatch(e -> e.mountPoint().startsWith(runRoot) && !e.mountPoint().equals(runRoot));
        if (rootMounted && !busy) {
            Mounts.unmount(runRoot);
        }
    }
}
