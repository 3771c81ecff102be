package org.qubicle.storage.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.storage.Capability;
import org.qubicle.storage.DriverParameter;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.PoolDriver;
import org.qubicle.storage.Probe;

/**
 * The {@code file} driver: raw ext4 images in a directory, with file-reflink's layout and
 * semantics (reflink copies where the file system has them, sparse copies elsewhere), and
 * loop plus overlay mounts for namespace qubes. See {@code docs/storage.md}.
 *
 * <p>{@code admin.pool.ListDrivers} line: {@code file revisions_to_keep dir_path
 * ephemeral_volatile} (the parameters of Qubes' {@code file} driver, in its order).
 */
public final class FilePoolDriver implements PoolDriver {
    public static final String NAME = "file";

    static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.SNAPSHOT, Capability.ORIGIN, Capability.REVISIONS, Capability.SNAPSHOTS_DISABLED,
            Capability.RESIZE, Capability.IMPORT, Capability.EXPORT, Capability.OUTDATED_CHECK,
            Capability.MOUNT));

    private static final List<DriverParameter> PARAMETERS = List.of(
            new DriverParameter("revisions_to_keep", false),
            new DriverParameter("dir_path", true),
            new DriverParameter("ephemeral_volatile", false));

    private static final List<String> TOOLS = List.of("mkfs.ext4", "e2fsck", "resize2fs", "cp", "stat");
    private static final List<String> MOUNT_TOOLS = List.of("mount", "umount", "losetup");

    private final Path runDir;

    /** @param runDir the instance's runtime directory, as in {@code /run/qubes} */
    public FilePoolDriver(Path runDir) {
        this.runDir = runDir;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DriverParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public Probe probe() {
        List<String> missing = new ArrayList<>();
        for (String t : TOOLS) {
            if (Exec.find(t).isEmpty()) {
                missing.add(t + " not found (packages e2fsprogs, coreutils)");
            }
        }
        if (!missing.isEmpty()) {
            return Probe.unavailable(missing);
        }
        List<String> notes = new ArrayList<>();
        for (String t : MOUNT_TOOLS) {
            if (Exec.find(t).isEmpty()) {
                notes.add("mount needs " + t + " (package mount / util-linux)");
            }
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            notes.add("mount needs loop devices (/dev/loop-control missing)");
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("overlay")) {
                notes.add("snapshot volumes need overlayfs (modprobe overlay)");
            }
        } catch (java.io.IOException e) {
            notes.add("cannot read /proc/filesystems");
        }
        return Probe.ok(notes);
    }

    @Override
    public Pool open(PoolConfig config) {
        for (String key : config.options().keySet()) {
            if (PARAMETERS.stream().noneMatch(p -> p.name().equals(key))) {
                throw new ProtocolError("unexpected option " + key + " for driver " + NAME);
            }
        }
        String dir = config.option("dir_path")
                .orElseThrow(() -> new QubesException("Missing required option dir_path for driver " + NAME));
        if (!dir.startsWith("/")) {
            throw new QubesException("dir_path must be absolute: " + dir);
        }
        config.revisionsToKeep();
        config.ephemeralVolatile();
        return new FilePool(config, Path.of(dir), runDir);
    }
}
