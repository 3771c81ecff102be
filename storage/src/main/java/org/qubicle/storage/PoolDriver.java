package org.qubicle.storage;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pool driver SPI (STYLE.md section 2): one implementation per kind of storage.
 *
 * <p>A driver names itself and its parameters exactly as {@code admin.pool.ListDrivers}
 * prints them, says what it can do, whether it can run on this host and why not, and
 * opens pools. Volume operations it lacks fail with {@code QubesNotImplementedError}.
 */
public interface PoolDriver {
    /** The driver name, as in {@code file} or {@code linux-kernel}. */
    String name();

    /** The options {@code admin.pool.Add} accepts, in Qubes' order. */
    List<DriverParameter> parameters();

    /** What pools of this driver can do. */
    Set<Capability> capabilities();

    /** Whether the driver can run on this host, and if not, why. Cheap; never throws. */
    Probe probe();

    /** Preference when several drivers could serve the default pool; higher wins. */
    int rank();

    /**
     * Opens a pool. Unknown options give {@code ProtocolError}, a missing required option
     * {@code QubesException}, as {@code admin.pool.Add} does. Creates nothing on disk
     * until {@link Pool#setup()}.
     */
    Pool open(PoolConfig config);

    /** This driver's {@code admin.pool.ListDrivers} line, without the newline. */
    default String listDriversLine() {
        return parameters().stream()
                .map(DriverParameter::name)
                .collect(Collectors.joining(" ", name() + " ", ""));
    }
}
