package org.qubicle.storage;

import java.io.InputStream;
import java.util.List;

/**
 * One volume in a pool, with Qubes' semantics (qubes-model.md sections 7.3 and 7.4).
 *
 * <p>Start and stop by type: a <em>snapshot</em> ({@code snap_on_start}) starts from its
 * source's last committed state and is discarded at stop; an <em>origin</em>
 * ({@code save_on_stop}) runs on a dirty copy that is committed at stop as the new
 * current state, the old one becoming a revision; a <em>volatile</em> volume starts empty
 * and is discarded at stop. With {@code revisions_to_keep = -1} an origin is used in place.
 * After a crash the next start reuses the dirty state of an origin.
 *
 * <p>Operations the driver lacks throw {@code QubesNotImplementedError}; operations the
 * volume's state forbids throw {@code StoragePoolException}.
 */
public interface Volume {
    /** The current configuration; {@code size} follows {@link #resize}. */
    VolumeConfig config();

    /** Creates the volume's committed state: an empty filesystem of {@code size}. */
    void create();

    /** Removes every file of the volume, revisions included. */
    void remove();

    /** Prepares the running state (see the class comment). */
    void start();

    /** Unmounts, then commits or discards the running state. */
    void stop();

    /** Checks that what {@link #start()} needs exists; throws {@code StoragePoolException} if not. */
    void verify();

    /** {@code save_on_stop} and a running (or crashed) state exists. */
    boolean isDirty();

    /** A snapshot whose source committed a newer state since this volume started. */
    boolean isOutdated();

    /** Revision ids, oldest first ({@code 1}, {@code 2}, ... for the file pool). */
    List<String> revisions();

    /**
     * Makes a revision current. The current state is first saved as a new revision, so
     * revert loses nothing. Refused while dirty.
     */
    void revert(String revision);

    /** Sets the size. Grows the filesystem too; the file pool refuses to shrink. */
    void resize(long bytes);

    /**
     * Replaces the committed state with exactly {@code size} bytes read from the stream
     * and commits it like a stop (a revision is made). Only {@code save_on_stop} volumes,
     * and not while dirty.
     */
    void importData(InputStream untrustedData, long size);

    /** Replaces the committed state with a copy of another volume's (clone). */
    void importFrom(Volume source);

    /** The committed image, for {@code save_on_stop} volumes. The caller closes it. */
    InputStream export();

    /** Commits zeros of the current size ({@code admin.vm.volume.Clear}); the old state becomes a revision. */
    void clear();

    /** Bytes allocated on the host. */
    long usage();

    /** Size in bytes: of the running state if any, else of the committed one. */
    long size();

    /**
     * The {@code path} key of {@code admin.vm.volume.Info}: for the file pool the running
     * image ({@code VOL-dirty.img}, as file-reflink reports it), for a kernel its
     * {@code modules.img}; empty where there is no such file.
     */
    String path();

    /** Changes {@code revisions_to_keep}; moving to or from -1 needs the volume stopped. */
    void setRevisionsToKeep(int revisions);

    /** Changes {@code rw}; needs the volume stopped. */
    void setRw(boolean rw);

    /** Changes {@code ephemeral}; needs the volume stopped. */
    void setEphemeral(boolean ephemeral);

    /**
     * Mounts the started volume as a directory (root needed for loop devices). Idempotent:
     * a volume already mounted, for example by a daemon that restarted, is adopted.
     */
    Mounted mount();
}
