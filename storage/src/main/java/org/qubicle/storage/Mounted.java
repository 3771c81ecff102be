package org.qubicle.storage;

import java.nio.file.Path;

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

    @Override
    void close();
}
