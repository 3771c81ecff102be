package org.qubicle.storage.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Capability;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;

/** A pool of kernels: one directory per kernel version. */
final class KernelPool implements Pool {
    private final PoolConfig config;
    private final Path dir;

    KernelPool(PoolConfig config, Path dir) {
        this.config = config;
        this.dir = dir;
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public void setup() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoragePoolException("Cannot create " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public void destroy() {
        // Kernels are installed by the admin, not by the pool; nothing of ours to remove.
    }

    @Override
    public Volume volume(VolumeConfig vc) {
        if (vc.rw() || vc.saveOnStop() || vc.snapOnStart()) {
            throw new StoragePoolException("Kernel volumes are read-only metadata: rw, save_on_stop and"
                    + " snap_on_start must be False");
        }
        return new KernelVolume(vc, dir);
    }

    @Override
    public List<VolumeId> volumeIds() {
        List<VolumeId> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(n -> {
                    try {
                        out.add(new VolumeId(n));
                    } catch (RuntimeException e) {
                        // not a kernel directory name we can report
                    }
                });
            } catch (IOException e) {
                throw new StoragePoolException("Cannot list " + dir + ": " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public long usage() {
        return 0;
    }

    @Override
    public Map<String, String> usageDetails() {
        return Map.of();
    }
}
