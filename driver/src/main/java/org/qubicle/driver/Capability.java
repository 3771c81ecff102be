package org.qubicle.driver;

/**
 * What a driver can do. An operation whose capability is missing throws
 * {@link org.qubicle.model.exc.QubesNotImplementedError}; it is never a silent no-op.
 */
public enum Capability {
    /** {@code start}, {@code shutdown} and {@code kill}. Every driver has these. */
    LIFECYCLE,
    /** {@code pause} and {@code unpause} (cgroup freezer). */
    PAUSE,
    /** {@code exec}: run a process inside a running qube. */
    EXEC,
    /** {@code reattach}: take back qubes that outlived a daemon restart. */
    REATTACH,
    /** {@code stats}: memory, pids and CPU use. */
    STATS,
    /** A writable root, in place or through an overlay ({@link QubeSpec#root()}). */
    WRITABLE_ROOT,
    /** Joining a network namespace given by {@link QubeSpec#netns()}. */
    NETNS,
    /** Limits from memory, maxmem, vcpus and pids. */
    RESOURCE_LIMITS,
    /**
     * {@code lookup}, {@code readFile} and {@code connectUnix}: paths inside a running qube,
     * resolved as the qube sees them, without starting a process in it.
     */
    INSIDE_PATHS
}
