package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.linux.Loop;
import org.qubicle.storage.linux.Mount;
import org.qubicle.storage.linux.MountTable;
import org.qubicle.storage.linux.MountTable.Entry;

/**
 * Loop and overlay mounts of the file pool, made with direct Linux calls
 * ({@link org.qubicle.storage.linux}) and read back from {@code /proc/self/mountinfo}, so
 * that nothing about them lives only in memory: a restarted daemon sees exactly what is
 * mounted.
 *
 * <p>Every image mount names its type (ext4): images hold data a qube wrote, and letting
 * anything probe them would expose every file system driver to that data. Every mount is
 * {@code nodev}: no device node written in a qube ever works on the host.
 */
final class Mounts {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Mounts.class.getName());
    /** How long to wait for autoclear to let a loop device go, polled in short steps. */
    private static final long DETACH_WAIT_NANOS = 5_000_000_000L;
    private static final long DETACH_KICK_NANOS = 400_000_000L;

    private Mounts() {}

    static List<Entry> table() {
        return MountTable.read();
    }

    static Optional<Entry> at(Path mountPoint) {
        return MountTable.at(mountPoint);
    }

    static boolean isMounted(Path mountPoint) {
        return MountTable.isMounted(mountPoint);
    }

    /** Loop-mounts an ext4 image; the loop device has autoclear, so unmounting detaches it. */
    static void mountImage(Path image, Path target, boolean readOnly, String extraOptions) {
        mountImage(image, null, target, readOnly, extraOptions);
    }

    /** Loop-mounts the file system at {@code extent} (a partition) of an image; null for the whole image. */
    static void mountImage(Path image, Ext4.Extent extent, Path target, boolean readOnly, String extraOptions) {
        FileOps.ensureRunDir(target);
        boolean part = extent != null && !extent.whole();
        // The handle is closed right after the mount: from then on the mount alone holds
        // the device, and a failed mount lets autoclear detach it at once.
        try (Loop.Device dev = Loop.attach(image, part ? extent.offset() : 0, part ? extent.length() : 0, readOnly)) {
            Mount.mount(dev.path(), target, "ext4", Mount.MS_NODEV | (readOnly ? Mount.MS_RDONLY : 0),
                    extraOptions);
        }
    }

    static void mountOverlay(Path lower, Path upper, Path work, Path target, boolean readOnly) {
        FileOps.ensureRunDir(target);
        Mount.overlay(lower, upper, work, target, Mount.MS_NODEV | (readOnly ? Mount.MS_RDONLY : 0));
    }

    /**
     * Unmounts whatever is mounted at {@code target} (all stacked layers), then makes sure
     * the loop device behind it is gone, so no loop device outlives its mount.
     */
    static void unmount(Path target) {
        // statx says whether anything is mounted here; the table, read only then, says what.
        while (isMounted(target)) {
            Optional<Entry> e = at(target);
            // Only our image file systems: syncing the run root's bind mount would sync the
            // whole host file system under it, for nothing.
            if (e.isPresent() && (e.get().source().startsWith("/dev/loop") || e.get().fsType().equals("overlay"))) {
                // Flush this file system to its image first: should another mount namespace
                // still pin it (a copy made while it was mounted), our umount would not
                // write it back, yet the caller goes on to commit or copy the image.
                try {
                    Mount.syncfs(target);
                } catch (StoragePoolException ex) {
                    LOG.fine("sync of " + target + " before unmounting failed: " + ex.getMessage());
                }
            }
            boolean unmounted;
            try {
                unmounted = Mount.unmount(target);
            } catch (StoragePoolException ex) {
                throw new StoragePoolException("Cannot unmount " + target + ": " + ex.getMessage());
            }
            if (!unmounted) {
                // A mount point the kernel will not unmount as one: never loop on it.
                throw new StoragePoolException("Cannot unmount " + target + ": seen as a mount point, yet not one"
                        + " to umount");
            }
            if (e.isPresent() && e.get().source().startsWith("/dev/loop")) {
                detach(e.get().source());
            }
        }
        try {
            Files.deleteIfExists(target);
        } catch (IOException ex) {
            // A non-empty mount point dir is harmless and reused next time.
        }
    }

    /**
     * Detaches a loop device once nothing uses it. Autoclear normally does this when the
     * last mount goes, but the kernel may finish that asynchronously; wait a bounded
     * time, then detach it ourselves.
     */
    static void detach(String device) {
        long start = System.nanoTime();
        boolean kicked = false;
        long pause = 50_000;
        while (Loop.isBound(device)) {
            long waited = System.nanoTime() - start;
            if (waited > DETACH_WAIT_NANOS) {
                // Another mount namespace still holds a copy of the mount (made while it was
                // mounted, with private propagation). The device goes when that namespace lets
                // go; failing the stop would not make it go sooner.
                LOG.warning(device + " is still in use by another mount namespace; it detaches when that ends");
                return;
            }
            if (!kicked && waited > DETACH_KICK_NANOS) {
                // Sets autoclear on a busy device, detaches an idle one.
                kicked = true;
                try {
                    Loop.detach(device);
                } catch (StoragePoolException ex) {
                    LOG.fine("detaching " + device + ": " + ex.getMessage());
                }
            }
            sleepNanos(pause);
            pause = Math.min(pause * 2, 20_000_000);
        }
    }

    /** Makes {@code dir} a shared mount point, so that namespaces copied as slaves see our unmounts. */
    static void makeShared(Path dir) {
        FileOps.ensureRunDir(dir);
        Optional<Entry> e = at(dir);
        if (e.isEmpty()) {
            Mount.bind(dir, dir);
        }
        if (e.isEmpty() || !e.get().shared()) {
            Mount.makeShared(dir);
        }
    }

    /** Loop devices attached to this file (by inode, so renames do not hide them). */
    static List<String> loopsFor(Path image) {
        if (!Files.exists(image)) {
            return List.of();
        }
        return Loop.devicesFor(image);
    }

    /** Tells a loop device its backing file grew. */
    static void refreshCapacity(String device) {
        Loop.refreshCapacity(device);
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(java.time.Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoragePoolException("interrupted while detaching a loop device");
        }
    }
}
