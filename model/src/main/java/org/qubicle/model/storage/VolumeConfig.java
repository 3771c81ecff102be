package org.qubicle.model.storage;

import java.util.Optional;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * The metadata of one volume of a qube, as {@code volume-config/volume} in qubes.xml and
 * {@code admin.vm.volume.Info} show it. The data itself is the storage module's business.
 *
 * @param source for a {@code snap_on_start} volume, the vid it snapshots when that is
 *               fixed; empty when it follows the template (resolved by the qube)
 */
public record VolumeConfig(
        String name,
        String pool,
        String vid,
        long size,
        boolean rw,
        boolean saveOnStop,
        boolean snapOnStart,
        Optional<String> source,
        int revisionsToKeep,
        Optional<Boolean> ephemeral) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern VID = Pattern.compile("[A-Za-z0-9_.:/+-]{0,255}");

    public static final long GIB = 1024L * 1024 * 1024;

    public VolumeConfig {
        if (!NAME.matcher(name).matches()) {
            throw new QubesValueError("Invalid volume name: " + name);
        }
        if (!VID.matcher(vid).matches() || vid.contains("..")) {
            throw new QubesValueError("Invalid volume id: " + vid);
        }
        if (size < 0) {
            throw new QubesValueError("Volume size must not be negative");
        }
        if (revisionsToKeep < -1) {
            throw new QubesValueError("revisions_to_keep must be -1 or more");
        }
        if (saveOnStop && snapOnStart) {
            throw new QubesValueError("A volume cannot both snap_on_start and save_on_stop");
        }
    }

    public VolumeConfig withSize(long newSize) {
        return new VolumeConfig(name, pool, vid, newSize, rw, saveOnStop, snapOnStart, source, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withRw(boolean newRw) {
        return new VolumeConfig(name, pool, vid, size, newRw, saveOnStop, snapOnStart, source, revisionsToKeep, ephemeral);
    }

    public VolumeConfig withRevisionsToKeep(int n) {
        return new VolumeConfig(name, pool, vid, size, rw, saveOnStop, snapOnStart, source, n, ephemeral);
    }

    public VolumeConfig withPool(String newPool, String newVid) {
        return new VolumeConfig(name, newPool, newVid, size, rw, saveOnStop, snapOnStart, source, revisionsToKeep, ephemeral);
    }
}
