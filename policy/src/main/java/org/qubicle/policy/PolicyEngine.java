package org.qubicle.policy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy of a running system: loads the policy directories and reloads them when a file
 * changes, so an edit applies to the next call without restarting anything.
 *
 * <pre>{@code
 * PolicyEngine engine = PolicyEngine.open(List.of(root.resolve("run/qubes/policy.d"),
 *                                                 root.resolve("etc/qubes/policy.d")));
 * Decision d = engine.evaluate(systemInfo, Request.of(source, target, serviceAndArg));
 * }</pre>
 *
 * <p>{@link #evaluate} calls {@link #reloadIfChanged} first, which costs one {@code stat} per file
 * and directory the policy touched. Thread-safe.
 */
public final class PolicyEngine {
    private final PolicySource source;
    private final List<String> dirs;
    private final String compatDir;
    private volatile Policy policy;

    private PolicyEngine(PolicySource source, List<String> dirs, String compatDir) {
        this.source = source;
        this.dirs = List.copyOf(dirs);
        this.compatDir = compatDir;
        this.policy = Policy.load(source, this.dirs, compatDir);
    }

    /**
     * Opens the given directories on disk, highest priority first. A directory that does not
     * exist is a load error, as upstream.
     */
    public static PolicyEngine open(List<Path> dirs) {
        return open(dirs, compatDirFor(dirs));
    }

    /**
     * The R4.0 directory for {@code !compat-4.0}: {@code ROOT/etc/qubes-rpc/policy} when the
     * last policy directory is {@code ROOT/etc/qubes/policy.d}, else the system one.
     */
    static Path compatDirFor(List<Path> dirs) {
        if (!dirs.isEmpty()) {
            Path last = dirs.getLast().toAbsolutePath().normalize();
            if (last.endsWith(Path.of("etc", "qubes", "policy.d"))) {
                return last.getParent().getParent().resolve("qubes-rpc/policy");
            }
        }
        return Path.of(Policy.DEFAULT_COMPAT_DIR);
    }

    /** As {@link #open(List)}, with {@code !compat-4.0} reading {@code compatDir}. */
    public static PolicyEngine open(List<Path> dirs, Path compatDir) {
        List<String> real = new ArrayList<>();
        for (Path d : dirs) {
            try {
                real.add(d.toRealPath().toString());
            } catch (IOException e) {
                real.add(d.toAbsolutePath().normalize().toString());
            }
        }
        return new PolicyEngine(PolicySource.fileSystem(), real,
                compatDir.toAbsolutePath().normalize().toString());
    }

    /** An engine over any source, e.g. {@link PolicySource#memory}. */
    public static PolicyEngine open(PolicySource source, List<String> dirs) {
        return new PolicyEngine(source, dirs, Policy.DEFAULT_COMPAT_DIR);
    }

    /** The policy now in force. */
    public Policy policy() {
        return policy;
    }

    /** Reloads when a policy file or directory changed; returns whether it did. */
    public synchronized boolean reloadIfChanged() {
        if (!policy.isStale()) {
            return false;
        }
        policy = Policy.load(source, dirs, compatDir);
        return true;
    }

    /** Reloads unconditionally (e.g. after the Policy Admin API wrote a file). */
    public synchronized Policy reload() {
        policy = Policy.load(source, dirs, compatDir);
        return policy;
    }

    /** Evaluates a call against the current files. */
    public Decision evaluate(SystemInfo info, Request request) {
        reloadIfChanged();
        return policy.evaluate(info, request);
    }
}
