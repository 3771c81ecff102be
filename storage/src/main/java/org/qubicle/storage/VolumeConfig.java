package org.qubicle.storage;

import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * One volume of a qube, as {@code qubes.xml}'s {@code <volume-config><volume .../>} and
 * {@code admin.vm.volume.Info} describe it (qubes-model.md section 7.1).
 *
 * <p>Example, an AppVM's root: {@code VolumeConfig.snapshot("root", "varlibqubes",
 * VolumeId.forQube(false, "work", "root"), VolumeId.forQube(true, "debian-12", "root"),
 * 10L << 30)}.
 *
 * @param name            volume name: {@code root}, {@code private}, {@code volatile}, {@code kernel}...
 * @param pool            the pool's name
 * @param vid             the volume id in that pool; null only for a volume without data
 *                        (the kernel volume of a qube with {@code kernel=""})
 * @param size            bytes, at least 0
 * @param rw              writable by the qube
 * @param saveOnStop      commit the running state at stop
 * @param snapOnStart     start from a copy-on-write view of {@code source}'s committed state
 * @param source          the vid to snapshot from, in the same pool; required with and only
 *                        with {@code snapOnStart}
 * @param revisionsToKeep old revisions kept besides the current one; -1 disables snapshots
 * @param ephemeral       encrypt with a throwaway key; only for rw volatile volumes
 */
public record VolumeConfig(
        String name,
        String pool,
        VolumeId vid,
        long size,
        boolean rw,
        boolean saveOnStop,
        boolean snapOnStart,
        VolumeId source,
        int revisionsToKeep,
        boolean ephemeral) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public VolumeConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new QubesValueError("Invalid volume name: " + name);
        }
        if (pool == null || pool.isEmpty()) {
            throw new QubesValueError("Volume " + name + " has no pool");
        }
        if (size < 0) {
            throw new QubesValueError("Volume size must be at least 0");
        }
        if (snapOnStart && source == null) {
            throw new QubesValueError("Volume " + name + ": snap_on_start needs a source");
        }
        if (!snapOnStart && source != null) {
            throw new QubesValueError("Volume " + name + ": source without snap_on_start");
        }
        if (revisionsToKeep < -1) {
            throw new QubesValueError("revisions_to_keep must be at least -1");
        }
        if (ephemeral && (!rw || snapOnStart || saveOnStop)) {
            throw new QubesValueError(
                    "Volume " + name + ": ephemeral is only for rw volumes without snap_on_start and save_on_stop");
        }
    }

    /** A volume with {@code save_on_stop}: private volumes, a template's root. */
    public static VolumeConfig origin(String name, String pool, VolumeId vid, long size, int revisionsToKeep) {
        return new VolumeConfig(name, pool, vid, size, true, true, false, null, revisionsToKeep, false);
    }

    /** A rw volume with {@code snap_on_start} from {@code source}: an AppVM's root. */
    public static VolumeConfig snapshot(String name, String pool, VolumeId vid, VolumeId source, long size) {
        return new VolumeConfig(name, pool, vid, size, true, false, true, source, 0, false);
    }

    /** A volume with neither flag, emptied at every start. */
    public static VolumeConfig volatileVolume(String name, String pool, VolumeId vid, long size) {
        return new VolumeConfig(name, pool, vid, size, true, false, false, null, 0, false);
    }

    /** Which of the four flag combinations this is. */
    public VolumeType type() {
        return VolumeType.of(snapOnStart, saveOnStop);
    }

    /** {@code revisions_to_keep = -1}: used in place, no copy at start, no revision at stop. */
    public boolean snapshotsDisabled() {
        return revisionsToKeep == -1;
    }

    /** The vid as the Admin API prints it; empty for a volume without data. */
    public String vidText() {
        return vid == null ? "" : vid.value();
    }

    public VolumeConfig withSize(long newSize) {
        return new VolumeConfig(name, pool, vid, newSize, rw, saveOnStop, snapOnStart, source, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withRevisionsToKeep(int n) {
        return new VolumeConfig(name, pool, vid, size, rw, saveOnStop, snapOnStart, source, n, ephemeral);
    }

    public VolumeConfig withRw(boolean newRw) {
        return new VolumeConfig(name, pool, vid, size, newRw, saveOnStop, snapOnStart, source, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withEphemeral(boolean e) {
        return new VolumeConfig(name, pool, vid, size, rw, saveOnStop, snapOnStart, source, revisionsToKeep, e);
    }
}
