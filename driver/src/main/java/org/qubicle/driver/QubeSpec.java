package org.qubicle.driver;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a driver needs to start one qube: its {@link SandboxSpec} and its file system.
 *
 * <p>Inside, the qube sees {@code rootfs} as {@code /} as {@code root} says (read-only,
 * writable in place, or writable through an overlay), its private directory at {@code /rw}, and
 * {@code /rw/home} at {@code /home}, as a Qubes AppVM does.
 *
 * @param sandbox    name, uid range, limits, runtime directory and network namespace
 * @param rootfs     the root filesystem directory
 * @param root       how {@code rootfs} is seen: read-only, writable, or an overlay
 * @param privateDir the private volume's directory, mounted at {@code /rw}; it must hold
 *                   a {@code home} directory
 * @param hostname   the qube's hostname (its own UTS namespace)
 * @param binds      extra host paths bound into the qube (the qrexec socket directory, the
 *                   read-only Java runtime of the in-qube tools), in order, after the standard view
 */
public record QubeSpec(SandboxSpec sandbox, Path rootfs, RootView root, Path privateDir, String hostname,
                       List<Bind> binds) {
    /** First host uid of qube ranges, above the usual /etc/subuid ranges' start. */
    public static final long UID_BASE = SandboxSpec.UID_BASE;
    /** uids (and gids) per qube. */
    public static final long UID_RANGE = SandboxSpec.UID_RANGE;
    /** Highest index whose range still fits below 2^32 - 1. */
    public static final int MAX_INDEX = SandboxSpec.MAX_INDEX;

    private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})");

    public QubeSpec {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(root, "root");
        binds = List.copyOf(binds);
        SandboxSpec.requireAbsolute("rootfs", rootfs);
        SandboxSpec.requireAbsolute("privateDir", privateDir);
        if (hostname == null || !HOST.matcher(hostname).matches()) {
            throw new IllegalArgumentException("bad hostname: " + hostname);
        }
    }

    /** The spec from its parts; see {@link SandboxSpec} for the sandbox's. */
    public QubeSpec(String name, int index, Path rootfs, RootView root, Path privateDir,
                    int memoryMiB, int maxmemMiB, int vcpus, int pidsLimit, String hostname,
                    Path runtimeDir, Optional<Path> netns, List<Bind> binds) {
        this(new SandboxSpec(name, index, memoryMiB, maxmemMiB, vcpus, pidsLimit, runtimeDir, netns), rootfs, root,
                privateDir, hostname, binds);
    }

    /** The spec without extra binds (the form used before binds existed). */
    public QubeSpec(String name, int index, Path rootfs, RootView root, Path privateDir,
                    int memoryMiB, int maxmemMiB, int vcpus, int pidsLimit, String hostname,
                    Path runtimeDir, Optional<Path> netns) {
        this(name, index, rootfs, root, privateDir, memoryMiB, maxmemMiB, vcpus, pidsLimit, hostname,
                runtimeDir, netns, List.of());
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
            SandboxSpec.requireAbsolute("bind source", source);
            Objects.requireNonNull(target, "target");
            if (!target.startsWith("/") || target.contains("/../") || target.endsWith("/..") || target.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad bind target: " + target);
            }
        }
    }

    /** A read-only-root qube with its own empty network; hostname = name (dots made dashes). */
    public static QubeSpec of(String name, int index, Path rootfs, Path privateDir, Path runtimeDir) {
        return new QubeSpec(name, index, rootfs, RootView.READ_ONLY, privateDir, 400, 0, 2, 1024,
                name.replace('.', '-').replace('_', '-'), runtimeDir, Optional.empty());
    }

    /** This spec with {@code more} binds appended. */
    public QubeSpec withBinds(List<Bind> more) {
        List<Bind> all = new java.util.ArrayList<>(binds);
        all.addAll(more);
        return new QubeSpec(sandbox, rootfs, root, privateDir, hostname, all);
    }

    public QubeSpec withUpperDir(Path dir) {
        return withRoot(new RootView.Overlay(dir));
    }

    public QubeSpec withRoot(RootView view) {
        return new QubeSpec(sandbox, rootfs, view, privateDir, hostname, binds);
    }

    public QubeSpec withLimits(int memory, int maxmem, int cpus, int pids) {
        SandboxSpec s = sandbox;
        return new QubeSpec(new SandboxSpec(s.name(), s.index(), memory, maxmem, cpus, pids, s.runtimeDir(), s.netns()),
                rootfs, root, privateDir, hostname, binds);
    }

    /** Where root filesystem changes go when the root is an overlay. */
    public Optional<Path> upperDir() {
        return root.overlayUpper();
    }

    public String name() {
        return sandbox.name();
    }

    public int index() {
        return sandbox.index();
    }

    public int memoryMiB() {
        return sandbox.memoryMiB();
    }

    public int maxmemMiB() {
        return sandbox.maxmemMiB();
    }

    public int vcpus() {
        return sandbox.vcpus();
    }

    public int pidsLimit() {
        return sandbox.pidsLimit();
    }

    public Path runtimeDir() {
        return sandbox.runtimeDir();
    }

    public Optional<Path> netns() {
        return sandbox.netns();
    }

    /** Host uid (and gid) that is root inside: {@code 100000 + 65536 * index}. */
    public long baseUid() {
        return sandbox.baseUid();
    }

    /** The hard memory limit in bytes. */
    public long memoryLimitBytes() {
        return sandbox.memoryLimitBytes();
    }
}
