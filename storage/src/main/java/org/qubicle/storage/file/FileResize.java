package org.qubicle.storage.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeType;

/**
 * Growing a file-pool volume, file system included.
 *
 * <p>Qubes' server lets a pool truncate (shrink) an image and leaves grow-only to the
 * client. Truncating an ext4 image cuts off its tail, so this pool refuses to shrink at
 * all. Growing: a running volume grows its dirty image, tells the loop device, and grows
 * the mounted file system online (Qubes asks the qube to do this with qubes.ResizeDisk);
 * a halted origin grows a copy of its committed image, runs e2fsck and resize2fs on it,
 * and renames it into place, so revisions that share the old inode stay untouched.
 */
final class FileResize {
    private FileResize() {}

    static void resize(FileVolume v, long bytes) {
        VolumeConfig c = v.rawConfig();
        Layout l = v.layout;
        if (bytes < 0) {
            throw new QubesValueError("Volume size must be at least 0");
        }
        if (!c.rw()) {
            throw new StoragePoolException("Cannot resize: " + c.vid() + " is read-only");
        }
        if (c.snapOnStart()) {
            throw new StoragePoolException("Cannot resize: " + c.vid() + " is a snapshot (snap_on_start)");
        }
        long current = v.size();
        if (bytes < current) {
            throw new StoragePoolException("Cannot shrink " + c.vid() + " from " + current + " to " + bytes
                    + " bytes: it would cut the file system");
        }
        if (bytes == current) {
            v.resized(bytes);
            return;
        }
        if (Files.exists(l.dirty)) {
            FileOps.setLength(l.dirty, bytes);
            v.resized(bytes);
            growRunning(c.vidText(), l.dirty);
            return;
        } else if (c.type() == VolumeType.ORIGIN && Files.exists(l.clean)) {
            growCommitted(l.clean, bytes);
            v.committedChanged();
        }
        v.resized(bytes);
    }

    /**
     * The image has grown; now its file system. Online growth needs CAP_SYS_RESOURCE; where
     * it fails the resize stands (as in Qubes when qubes.ResizeDisk fails) and the file
     * system grows offline before its next mount ({@link Ext4#growIfSmaller}).
     */
    private static void growRunning(String vid, Path dirty) {
        List<String> loops = Mounts.loopsFor(dirty);
        boolean ext = Ext4.isExt(dirty);
        for (String dev : loops) {
            Mounts.refreshCapacity(dev);
            if (ext) {
                try {
                    Ext4.growOnline(dev);
                } catch (StoragePoolException e) {
                    throw new StoragePoolException("Volume " + vid + " was resized, but its mounted file system could"
                            + " not grow online (" + e.getMessage().strip() + "); it grows at the next start");
                }
            }
        }
        if (loops.isEmpty() && ext) {
            Ext4.growOffline(dirty);
        }
    }

    private static void growCommitted(Path clean, long bytes) {
        Path staged = FileOps.tmpFor(clean);
        boolean ok = false;
        try {
            FileOps.copy(clean, staged);
            FileOps.setLength(staged, bytes);
            if (Ext4.isExt(staged)) {
                Ext4.growOffline(staged);
            }
            FileOps.rename(staged, clean);
            ok = true;
        } finally {
            if (!ok) {
                FileOps.deleteQuietly(staged);
            }
        }
    }
}
