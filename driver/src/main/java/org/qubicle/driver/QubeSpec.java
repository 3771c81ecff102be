package org.qubicle.driver;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a driver needs to start one qube.
 *
 * <p>Inside, the qube sees {@code rootfs} as {@code /} as {@code root} says (read-only,
 * writable in place, or writable through an overlay), its private directory at {@code /rw}, and
 * {@code /rw/home} at {@code /home}, as a Qubes AppVM does.
 *
 * @param name       the qube's name (Qubes rules: a letter, then letters, digits, {@code _.-};
 *                   at most 31 characters)
 * @param index      a number unique among running qubes; it picks the host uid/gid range
 *                   {@link #baseUid()} .. {@code baseUid() + 65535}
 * @param rootfs     the root filesystem directory
 * @param root       how {@code rootfs} is seen: read-only, writable, or an overlay
 * @param privateDir the private volume's directory, mounted at {@code /rw}; it must hold
 *                   a {@code home} directory
 * @param memoryMiB  initial memory in MiB (the soft limit)
 * @param maxmemMiB  the hard memory limit in MiB; 0 means {@code memoryMiB}
 * @param vcpus      CPU quota in whole CPUs
 * @param pidsLimit  the most processes and threads the qube may have
 * @param hostname   the qube's hostname (its own UTS namespace)
 * @param runtimeDir this qube's runtime directory (under {@code $QUBES_ROOT/var/run/qubes/});
 *                   the driver keeps pid and state files there so that a restarted daemon
 *                   can take the qube back
 * @param netns      a network namespace to join (a path such as {@code /run/netns/x});
 *                   empty gives the qube its own namespace with only {@code lo}
 * @param binds      extra host paths bound into the qube (the qrexec socket directory, the
 *                   read-only Java runtime of the in-qube tools), in order, after the standard view
 */
public record QubeSpec(String name, int index, Path rootfs, RootView root, Path privateDir,
                       int memoryMiB, int maxmemMiB, int vcpus, int pidsLimit, String hostname,
                       Path runtimeDir, Optional<Path> netns, List<Bind> binds) {
    /** First host uid of qube ranges, above the usual /etc/subuid ranges' start. */
    public static final long UID_BASE = 100_000;
    /** uids (and gids) per qube. */
    public static final long UID_RANGE = 65_536;
    /** Highest index whose range still fits below 2^32 - 1. */
    public static final int MAX_INDEX = 65_000;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,30}");
    private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})");

    public QubeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(netns, "netns");
        binds = List.copyOf(binds);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad qube name: " + name);
        }
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("index out of range: " + index);
        }
        requireAbsolute("rootfs", rootfs);
        requireAbsolute("privateDir", privateDir);
        requireAbsolute("runtimeDir", runtimeDir);
        netns.ifPresent(p -> requireAbsolute("netns", p));
        if (memoryMiB < 1 || maxmemMiB < 0 || vcpus < 1 || vcpus > 1024 || pidsLimit < 1) {
            throw new IllegalArgumentException("bad limits: memory=" + memoryMiB + " maxmem=" + maxmemMiB
                    + " vcpus=" + vcpus + " pids=" + pidsLimit);
        }
        if (maxmemMiB != 0 && maxmemMiB < memoryMiB) {
            throw new IllegalArgumentException("maxmem below memory");
        }
        if (!HOST.matcher(hostname).matches()) {
            throw new IllegalArgumentException("bad hostname: " + hostname);
        }
    }

    /**
     * One host path bound into the qube. The mount point inside must exist (or be creatable
     * by the qube's root) in the qube's view at that moment; binds apply in list order.
     *
     * @param source   an absolute host path (file or directory), resolved on the host
     * @param target   an absolute path inside the qube
     * @param readOnly whether the qube sees it read-only
     */
    public record Bind(Path source, String target, boolean readOnly) {
        public Bind {
            requireAbsolute("bind source", source);
            Objects.requireNonNull(target, "target");
            if (!target.startsWith("/") || target.contains("/../") || target.endsWith("/..") || target.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad bind target: " + target);
            }
        }
    }

    /** The spec without extra binds (the form used before binds existed). */
    public QubeSpec(String name, int index, Path rootfs, RootView root, Path privateDir,
                    int memoryMiB, int maxmemMiB, int vcpus, int pidsLimit, String hostname,
                    Path runtimeDir, Optional<Path> netns) {
        this(name, index, rootfs, root, privateDir, memoryMiB, maxmemMiB, vcpus, pidsLimit, hostname,
                runtimeDir, netns, List.of());
    }

    /** This spec with {@code more} binds appended. */
    public QubeSpec withBinds(List<Bind> more) {
        List<Bind> all = new java.util.ArrayList<>(binds);
        all.addAll(more);
        return new QubeSpec(name, index, rootfs, root, privateDir, memoryMiB, maxmemMiB, vcpus, pidsLimit,
                hostname, runtimeDir, netns, all);
    }

    /** A read-only-root qube with its own empty network; hostname = name (dots made dashes). */
    public static QubeSpec of(String name, int index, Path rootfs, Path privateDir, Path runtimeDir) {
        return new QubeSpec(name, index, rootfs, RootView.READ_ONLY, privateDir, 400, 0, 2, 1024,
                name.replace('.', '-').replace('_', '-'), runtimeDir, Optional.empty());
    }

    public QubeSpec withUpperDir(Path dir) {
        return withRoot(new RootView.Overlay(dir));
    }

    public QubeSpec withRoot(RootView view) {
        return new QubeSpec(name, index, rootfs, view, privateDir, memoryMiB, maxmemMiB, vcpus,
                pidsLimit, hostname, runtimeDir, netns, binds);
    }

    public QubeSpec withLimits(int memory, int maxmem, int cpus, int pids) {
        return new QubeSpec(name, index, rootfs, root, privateDir, memory, maxmem, cpus, pids, hostname,
                runtimeDir, netns, binds);
    }

    /** Where root filesystem changes go when the root is an overlay. */
    public Optional<Path> upperDir() {
        return root.overlayUpper();
    }

    /** Host uid (and gid) that is root inside: {@code 100000 + 65536 * index}. */
    public long baseUid() {
        return UID_BASE + UID_RANGE * index;
    }

    /** The hard memory limit in bytes. */
    public long memoryLimitBytes() {
        return (long) (maxmemMiB == 0 ? memoryMiB : maxmemMiB) << 20;
    }

    private static void requireAbsolute(String what, Path p) {
        Objects.requireNonNull(p, what);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(what + " must be absolute: " + p);
        }
    }
}
