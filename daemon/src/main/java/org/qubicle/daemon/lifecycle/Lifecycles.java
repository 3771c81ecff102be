package org.qubicle.daemon.lifecycle;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import org.qubicle.daemon.storage.PoolStorage;
import org.qubicle.daemon.storage.QubeStorage;
import org.qubicle.driver.DriverSelector;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.bwrap.BwrapDriver;
import org.qubicle.model.exc.QubesNotImplementedError;

/**
 * Which isolation driver and storage a daemon uses: chosen by probing on a real host, or
 * handed in (the fake driver in unit tests).
 *
 * @param driver  the isolation driver
 * @param storage the storage bridge
 */
public record Lifecycles(IsolationDriver driver, QubeStorage storage) {
    private static final Logger LOG = Logger.getLogger(Lifecycles.class.getName());

    public Lifecycles {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(storage, "storage");
    }

    /**
     * Probes the drivers this build knows (bubblewrap); when none can run, the daemon still
     * serves every other call and lifecycle calls fail with the probe's reasons.
     */
    public static Lifecycles probe(Path varLibQubes, Path runDir) {
        IsolationDriver driver;
        try {
            driver = DriverSelector.select(List.of(new BwrapDriver()));
        } catch (QubesNotImplementedError e) {
            LOG.warning(e.getMessage());
            driver = new UnavailableDriver(e.getMessage());
        }
        // $ROOT/var/run/qubicle (links resolved): where pool volumes are mounted.
        return new Lifecycles(driver, new PoolStorage(varLibQubes, runDir.resolve("qubicle")));
    }
}
