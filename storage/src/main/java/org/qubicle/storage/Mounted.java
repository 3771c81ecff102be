package org.qubicle.storage;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A started volume mounted as a directory on the host, for a namespace driver to bind into
 * a qube (the private volume at {@code /rw}, the root as {@code /}). Closing unmounts it
 * and detaches its loop devices; {@link Volume#stop()} does so too. Closing twice is
 * harmless.
 */
public interface Mounted extends AutoCloseable {
    /** The directory. */
    Path path();

    /** True if the qube cannot write through this mount. */
    boolean readOnly();

    /**
     * For a snapshot, the overlay's layers, for a driver that must compose the overlay
     * itself (for example inside the qube's user namespace over idmapped layers: an
     * overlay mount cannot itself be idmapped; see docs/storage.md). Empty otherwise.
     */
    default Optional<Layers> layers() {
        return Optional.empty();
    }

    /**
     * The mounted layers of a snapshot volume.
     *
     * @param lower the committed source image, mounted read-only and shared
     * @param upper the volume's own writable directory
     * @param work  overlayfs' work directory, on the same file system as {@code upper}
     */
    record Layers(Path lower, Path upper, Path work) {}

    @Override
    void close();
}
