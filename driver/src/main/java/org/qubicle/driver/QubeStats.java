package org.qubicle.driver;

/**
 * A running qube's resource use, read from its cgroup.
 *
 * @param memoryBytes memory charged to the qube (cgroup memory.current or usage_in_bytes)
 * @param pids        processes and threads in the qube
 * @param cpuNanos    CPU time used since start, or -1 when unknown
 * @param paused      true while frozen
 */
public record QubeStats(long memoryBytes, long pids, long cpuNanos, boolean paused) {
    public QubeStats {
        if (memoryBytes < 0 || pids < 0) {
            throw new IllegalArgumentException("negative stats");
        }
    }
}
