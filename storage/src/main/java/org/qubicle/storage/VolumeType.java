package org.qubicle.storage;

/** The four combinations of {@code snap_on_start} and {@code save_on_stop}. */
public enum VolumeType {
    /** Neither flag: a fresh empty volume at every start, discarded at stop. */
    VOLATILE,
    /** {@code snap_on_start} only: a copy-on-write view of the source, discarded at stop. */
    SNAPSHOT,
    /** {@code save_on_stop} only: the running state is committed at stop. */
    ORIGIN,
    /** Both flags: refused by the file driver, as by Qubes' {@code file} and {@code lvm_thin}. */
    SNAPSHOT_AND_ORIGIN;

    static VolumeType of(boolean snapOnStart, boolean saveOnStop) {
        if (snapOnStart) {
            return saveOnStop ? SNAPSHOT_AND_ORIGIN : SNAPSHOT;
        }
        return saveOnStop ? ORIGIN : VOLATILE;
    }
}
