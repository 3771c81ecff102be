package org.qubicle.driver;

import java.time.Instant;
import java.util.Objects;

/**
 * A handle on a running qube, issued by one driver and only valid with it.
 *
 * @param spec    what the qube was started from
 * @param driver  the name of the driver that runs it
 * @param pid     the host pid that represents the qube (bwrap: the outer bwrap process);
 *                the qube is running while it lives
 * @param started when the qube was started (kept across reattach)
 */
public record RunningQube(QubeSpec spec, String driver, long pid, Instant started) {
    public RunningQube {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(started, "started");
        if (pid <= 0) {
            throw new IllegalArgumentException("bad pid " + pid);
        }
    }

    public String name() {
        return spec.name();
    }
}
