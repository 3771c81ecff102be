package org.qubicle.daemon.storage;

import java.io.InputStream;
import java.nio.file.Path;
import org.qubicle.model.Qube;

/**
 * Raw volume images for daemon-side code (backup and restore): a consistent read-only image
 * of a volume, and replacing a halted qube's volume with given data.
 */
public interface VolumeData {
    /**
     * A consistent read-only raw image of the qube's volume as it is now, also while the
     * qube runs (e.g. fsfreeze + sparse copy, or a snapshot). Closing it deletes any
     * temporary copy.
     */
    VolumeImage snapshot(Qube q, String volume);

    /** Replaces the volume's content with exactly {@code size} bytes of raw image data; the qube must be halted. */
    void importData(Qube q, String volume, InputStream untrustedData, long size);

    /** A raw image on the host, valid until closed. */
    interface VolumeImage extends AutoCloseable {
        /** The image file (read it only). */
        Path path();

        /** Its size in bytes. */
        long size();

        @Override
        void close();
    }
}
