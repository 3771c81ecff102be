package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.model.exc.StoragePoolException;
import java.util.List;
import java.util.Optional;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Mounted.Layers;
import org.qubicle.storage.VolumeType;
import org.qubicle.storage.VolumeConfig;

/**
 * Mounting a started file-pool volume as a directory.
 *
 * <ul>
 *   <li>origin (private, a template's root): the dirty image, loop-mounted read-write;
 *   <li>volatile: the fresh dirty image, loop-mounted read-write;
 *   <li>snapshot (an AppVM's root, a disposable's private): an overlay whose lower layer
 *       is the source's committed image, loop-mounted read-only once and shared by every
 *       snapshot of that same inode, and whose upper layer lives in the volume's own
 *       throwaway dirty image (so its writes are bounded by the volume size and vanish
 *       at stop).
 * </ul>
 * Shared lower mounts are counted from {@code /proc/self/mountinfo}: a lower is unmounted
 * when no overlay names it any more. The pool's mount lock spans the whole
 * acquire-and-mount and unmount-and-release, so a lower cannot vanish in between.
 */
final class FileMounts {
    private FileMounts() {}

    /** A mounted volume; closing it unmounts it under the volume's lock. */
    private record Handle(FileVolume volume, Path path, boolean readOnly, Optional<Layers> layers) implements Mounted {
        @Override
        public void close() {
            volume.unmount();
        }
    }

    private static Handle handle(FileVolume v, boolean ro) {
        Layout l = v.layout;
        Optional<Layers> layers = Optional.empty();
        if (v.rawConfig().type() == VolumeType.SNAPSHOT) {
            String key = FileOps.inodeKey(l.clean);
            if (key != null) {
                layers = Optional.of(new Layers(v.pool().lowerPath(key), l.upperMount.resolve("upper"),
                        l.upperMount.resolve("work")));
            }
        }
        return new Handle(v, l.mountPoint, ro, layers);
    }

    static Mounted mount(FileVolume v) {
        Layout l = v.layout;
        VolumeConfig c = v.rawConfig();
        boolean ro = !c.rw();
        if (Mounts.isMounted(l.mountPoint)) {
            return handle(v, ro);
        }
        if (!Files.exists(l.dirty)) {
            throw new StoragePoolException("Cannot mount " + c.vid() + ": it is not started");
        }
        requireRoot();
        v.pool().withMountLock(() -> {
            try {
                v.pool().shareRunRoot();
                switch (c.type()) {
                    case ORIGIN -> {
                        if (Ext4.isBlank(l.dirty)) {
                            // An empty or cleared volume: format it, as a Qubes qube does at first boot.
                            Ext4.mkfs(l.dirty, false);
                        }
                        Ext4.Extent fs = Ext4.requireExt(l.dirty, c.vidText());
                        if (fs.whole()) {
                            // A partitioned (Qubes) disk keeps its partition size; only bare images grow here.
                            growIfSmaller(l.dirty);
                        }
                        // Read-only: never replay the journal either (a ro loop device could not).
                        Mounts.mountImage(l.dirty, fs, l.mountPoint, ro, ro ? "noload" : "");
                    }
                    case VOLATILE -> Mounts.mountImage(l.dirty, l.mountPoint, false, "noinit_itable");
                    case SNAPSHOT -> mountSnapshot(v, ro);
                    case SNAPSHOT_AND_ORIGIN -> throw new StoragePoolException("unsupported volume type");
                }
            } catch (RuntimeException e) {
                unmountLocked(v);
                throw e;
            }
        });
        return handle(v, ro);
    }

    private static void mountSnapshot(FileVolume v, boolean ro) {
        Layout l = v.layout;
        Path lower = v.pool().acquireLower(l.clean, v.rawConfig().vidText());
        // Lazy inode-table init would make the kernel zero tables we throw away at stop.
        Mounts.mountImage(l.dirty, l.upperMount, false, "noinit_itable");
        Path upper = l.upperMount.resolve("upper");
        Path work = l.upperMount.resolve("work");
        try {
            Files.createDirectories(upper);
            Files.createDirectories(work);
        } catch (IOException e) {
            throw FileOps.fail("prepare the overlay of " + v.rawConfig().vid(), e);
        }
        Mounts.mountOverlay(lower, upper, work, l.mountPoint, ro);
    }

    /** Unmounts everything of this volume; safe when nothing is mounted. */
    static void unmountAll(FileVolume v) {
        v.pool().withMountLock(() -> unmountLocked(v));
    }

    private static void unmountLocked(FileVolume v) {
        Layout l = v.layout;
        Mounts.unmount(l.mountPoint);
        Mounts.unmount(l.upperMount);
        // The qube's directories above the mount points go too (a disposable leaves none).
        FileOps.deleteQuietly(l.mountPoint.getParent());
        FileOps.deleteQuietly(l.upperMount.getParent());
        // Our loop devices have autoclear and are mounted while our handle is open, so a
        // crash cannot orphan one; only what an earlier daemon (or mount -o loop without
        // autoclear) left needs looking for, once per volume and daemon run: the scan
        // checks every loop device on the host.
        List<String> orphans = v.pool().firstUnmount(v.rawConfig().vid()) ? Mounts.loopsFor(l.dirty) : List.of();
        for (String dev : orphans) {
            // A loop device still on our dirty image outside any mount (a crash between
            // losetup and mount): nothing else may use it, so detach it.
            if (Mounts.table().stream().noneMatch(e -> e.source().equals(dev))) {
                org.qubicle.storage.linux.Loop.detach(dev);
                Mounts.detach(dev);
            }
        }
        v.pool().releaseIdleMounts();
    }

    private static void growIfSmaller(Path image) {
        try {
            Ext4.growIfSmaller(image);
        } catch (IOException e) {
            throw FileOps.fail("check the file system size of " + image, e);
        }
    }

    private static void requireRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                throw new StoragePoolException("Mounting volumes needs root (loop devices)");
            }
        } catch (IOException e) {
            throw FileOps.fail("check the user id", e);
        }
    }
}
