package org.qubicle.driver;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The part of a {@link QubeSpec} that is known before the qube's storage is ready: who the
 * qube is, its host uid range, its limits, its runtime directory and its network namespace.
 * With it a driver can begin a start while the storage is still being prepared
 * ({@link IsolationDriver#start(SandboxSpec, java.util.function.Supplier)}).
 *
 * @param name       the qube's name (Qubes rules: a letter, then letters, digits, {@code _.-};
 *                   at most 31 characters)
 * @param index      a number unique among running qubes; it picks the host uid/gid range
 *                   {@link #baseUid()} .. {@code baseUid() + 65535}
 * @param memoryMiB  initial memory in MiB (the soft limit)
 * @param maxmemMiB  the hard memory limit in MiB; 0 means {@code memoryMiB}
 * @param vcpus      CPU quota in whole CPUs
 * @param pidsLimit  the most processes and threads the qube may have
 * @param runtimeDir this qube's runtime directory (under {@code $QUBES_ROOT/var/run/qubes/});
 *                   the driver keeps pid and state files there so that a restarted daemon
 *                   can take the qube back
 * @param netns      a network namespace to join (a path such as {@code /run/netns/x});
 *                   empty gives the qube its own namespace with only {@code lo}
 */
public record SandboxSpec(String name, int index, int memoryMiB, int maxmemMiB, int vcpus, int pidsLimit,
                          Path runtimeDir, Optional<Path> netns) {
    /** First host uid of qube ranges, above the usual /etc/subuid ranges' start. */
    public static final long UID_BASE = 100_000;
    /** uids (and gids) per qube. */
    public static final long UID_RANGE = 65_536;
    /** Highest index whose range still fits below 2^32 - 1. */
    public static final int MAX_INDEX = 65_000;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,30}");

    public SandboxSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(netns, "netns");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad qube name: " + name);
        }
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("index out of range: " + index);
        }
        requireAbsolute("runtimeDir", runtimeDir);
        netns.ifPresent(p -> requireAbsolute("netns", p));
        if (memoryMiB < 1 || maxmemMiB < 0 || vcpus < 1 || vcpus > 1024 || pidsLimit < 1) {
            throw new IllegalArgumentException("bad limits: memory=" + memoryMiB + " maxmem=" + maxmemMiB
                    + " vcpus=" + vcpus + " pids=" + pidsLimit);
        }
        if (maxmemMiB != 0 && maxmemMiB < memoryMiB) {
            throw new IllegalArgumentException("maxmem below memory");
        }
    }

    /** Host uid (and gid) that is root inside: {@code 100000 + 65536 * index}. */
    public long baseUid() {
        return UID_BASE + UID_RANGE * index;
    }

    /** The hard memory limit in bytes. */
    public long memoryLimitBytes() {
        return (long) (maxmemMiB == 0 ? memoryMiB : maxmemMiB) << 20;
    }

    static void requireAbsolute(String what, Path p) {
        Objects.requireNonNull(p, what);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(what + " must be absolute: " + p);
        }
    }
}
