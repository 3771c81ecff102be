package org.qubicle.storage;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.qubicle.model.exc.QubesException;
import org.qubicle.storage.file.FilePoolDriver;
import org.qubicle.storage.kernel.LinuxKernelPoolDriver;

/**
 * The drivers this instance knows, looked up by name, and the default pools.
 *
 * <p>Example: {@code PoolDrivers.standard(root, root.resolve("run/qubes"))} gives the
 * {@code file} and {@code linux-kernel} drivers for one Qubicle root.
 */
public final class PoolDrivers {
    /** Qubes' name for the default pool in {@code /var/lib/qubes}. */
    public static final String DEFAULT_POOL = "varlibqubes";
    /** Qubes' name for the kernel pool. */
    public static final String KERNEL_POOL = "linux-kernel";

    private final List<PoolDriver> drivers;

    public PoolDrivers(List<PoolDriver> drivers) {
        this.drivers = List.copyOf(drivers);
    }

    /**
     * The file and linux-kernel drivers.
     *
     * @param runDir where running volumes are mounted, as in {@code /run/qubes}
     */
    public static PoolDrivers standard(Path runDir) {
        return new PoolDrivers(List.of(new FilePoolDriver(runDir), new LinuxKernelPoolDriver()));
    }

    /** Every driver, in registration order. */
    public List<PoolDriver> all() {
        return drivers;
    }

    public Optional<PoolDriver> byName(String name) {
        return drivers.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Opens a pool with its driver; an unknown driver is a {@code QubesException}. */
    public Pool open(PoolConfig config) {
        return byName(config.driver())
                .orElseThrow(() -> new QubesException("unexpected driver name: " + config.driver()))
                .open(config);
    }

    /** The best available driver among those that can serve the default pool. */
    public Optional<PoolDriver> best() {
        return drivers.stream()
                .filter(d -> d.probe().available())
                .max(Comparator.comparingInt(PoolDriver::rank));
    }

    /** The {@code admin.pool.ListDrivers} reply: one line per driver. */
    public String listDrivers() {
        StringBuilder sb = new StringBuilder();
        for (PoolDriver d : drivers) {
            sb.append(d.listDriversLine()).append('\n');
        }
        return sb.toString();
    }

    /**
     * The pools every fresh instance has: {@code varlibqubes} (file) in
     * {@code QUBES_ROOT/var/lib/qubes} and {@code linux-kernel} in its {@code vm-kernels}.
     *
     * @param varLibQubes the state directory, as in {@code /var/lib/qubes}
     */
    public static List<PoolConfig> defaultPools(Path varLibQubes) {
        return List.of(
                new PoolConfig(DEFAULT_POOL, FilePoolDriver.NAME, Map.of(
                        "dir_path", varLibQubes.toString(),
                        "revisions_to_keep", "1",
                        "ephemeral_volatile", "False")),
                new PoolConfig(KERNEL_POOL, LinuxKernelPoolDriver.NAME, Map.of(
                        "dir_path", varLibQubes.resolve("vm-kernels").toString())));
    }
}
