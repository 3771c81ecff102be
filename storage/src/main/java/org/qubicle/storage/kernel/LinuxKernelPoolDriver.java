package org.qubicle.storage.kernel;

import java.nio.file.Path;
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
 * The {@code linux-kernel} driver: read-only metadata about kernels in
 * {@code dir_path/<version>/}. Namespace qubes run on the host kernel, so its volumes carry
 * no data here: the vid is the kernel version (or empty), and every data operation fails
 * with {@code QubesNotImplementedError}.
 */
public final class LinuxKernelPoolDriver implements PoolDriver {
    public static final String NAME = "linux-kernel";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DriverParameter> parameters() {
        return List.of(new DriverParameter("dir_path", true));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Probe probe() {
        return Probe.ok(List.of());
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Pool open(PoolConfig config) {
        for (String key : config.options().keySet()) {
            if (!key.equals("dir_path")) {
                throw new ProtocolError("unexpected option " + key + " for driver " + NAME);
            }
        }
        String dir = config.option("dir_path")
                .orElseThrow(() -> new QubesException("Missing required option dir_path for driver " + NAME));
        return new KernelPool(config, Path.of(dir));
    }
}
