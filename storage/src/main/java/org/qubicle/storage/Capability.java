package org.qubicle.storage;

/**
 * What a pool driver can do. A volume operation whose capability the driver lacks fails
 * with {@code QubesNotImplementedError}.
 */
public enum Capability {
    /** Volumes with {@code snap_on_start}: a copy-on-write view of a source volume. */
    SNAPSHOT,
    /** Volumes with {@code save_on_stop}: the running state is committed at stop. */
    ORIGIN,
    /** Old committed states are kept as revisions and can be listed and reverted to. */
    REVISIONS,
    /** {@code revisions_to_keep = -1}: the volume is used in place. */
    SNAPSHOTS_DISABLED,
    /** Volumes can grow. */
    RESIZE,
    /** Data can be written into a volume from a stream or from another volume. */
    IMPORT,
    /** The committed image can be read out as a stream. */
    EXPORT,
    /** The driver tells when a snapshot's source has committed since it started. */
    OUTDATED_CHECK,
    /** A started volume can be mounted as a directory for a namespace qube. */
    MOUNT,
    /** Volatile volumes encrypted with a throwaway key. */
    EPHEMERAL
}
