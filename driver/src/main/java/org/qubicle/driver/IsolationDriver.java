package org.qubicle.driver;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.qubicle.model.exc.QubesNotImplementedError;

/**
 * Starts, stops, pauses and kills qubes and runs processes in them.
 *
 * <p>Implementations are thread-safe. Operations block; call them from virtual threads.
 * An operation outside {@link #capabilities()} throws {@link QubesNotImplementedError}.
 * State errors use the Qubes exceptions: {@code QubesVMNotRunningError},
 * {@code QubesVMNotPausedError}, {@code QubesVMError} (start failed),
 * {@code QubesVMShutdownTimeoutError}.
 *
 * <pre>{@code
 * IsolationDriver d = DriverSelector.select(List.of(new BwrapDriver(), ...));
 * RunningQube q = d.start(spec);
 * try (QubeProcess p = d.exec(q, ExecSpec.of("user", "id"))) { ... p.waitFor(); }
 * d.shutdown(q, Duration.ofSeconds(60));
 * }</pre>
 */
public interface IsolationDriver {
    /** Short name, shown as the qube's {@code virt_mode} (for example {@code bwrap}). */
    String name();

    /** Preference among usable drivers; higher wins. */
    int rank();

    /** Whether this driver can run here, and every reason why not. Cheap; no side effects. */
    Probe probe();

    Set<Capability> capabilities();

    /** Starts the qube and returns once its init runs. Leaves nothing behind on failure. */
    RunningQube start(QubeSpec spec);

    /**
     * Starts the qube in two steps, so that the sandbox's own start can overlap the
     * storage's: the driver begins with {@code sandbox} alone, then takes the whole spec
     * from {@code spec}, which may block until the storage is ready. The spec's sandbox
     * must equal {@code sandbox}. An exception from {@code spec} ends the start, leaving
     * nothing behind, and is thrown as it is. This default simply waits for the spec.
     */
    default RunningQube start(SandboxSpec sandbox, java.util.function.Supplier<QubeSpec> spec) {
        QubeSpec whole = spec.get();
        requireSandbox(sandbox, whole);
        return start(whole);
    }

    /** Checks the two-step start's promise: the whole spec has the sandbox it began with. */
    static void requireSandbox(SandboxSpec sandbox, QubeSpec whole) {
        if (!whole.sandbox().equals(sandbox)) {
            throw new IllegalArgumentException("the spec of " + whole.name() + " does not match the sandbox it began with");
        }
    }

    /**
     * Asks the qube's init to stop (SIGTERM): it signals every process inside and exits once
     * they are gone. After {@code timeout}, kills the qube. Returns once all is cleaned up.
     *
     * @return true if the qube stopped by itself, false if it had to be killed
     */
    boolean shutdown(RunningQube qube, Duration timeout);

    /** Kills every process of the qube at once and cleans up. Idempotent. */
    void kill(RunningQube qube);

    void pause(RunningQube qube);

    void unpause(RunningQube qube);

    /** Runs a process inside the running qube, within all its confinement. */
    QubeProcess exec(RunningQube qube, ExecSpec exec);

    /**
     * Makes the qube's next execs as fast as its execs get, now rather than over its first
     * execs (a preloaded disposable's only exec must not pay for that). Returns once done or
     * after {@code wait}; a driver with nothing to prepare returns at once.
     */
    default void prepareExec(RunningQube qube, Duration wait) {
    }

    /**
     * The first of the absolute {@code paths} that names something inside the running qube,
     * and what it names, resolved as the qube sees it: its symlinks and {@code ..} never lead
     * out of the qube's root, and a symlink as the last component is found as
     * {@link FileKind#SYMLINK}. Empty when none is there. One check that the qube runs for the
     * whole list (qrexec looks a service up in several directories per call); no process
     * starts in the qube.
     */
    Optional<FoundPath> lookupFirst(RunningQube qube, List<String> paths) throws IOException;

    /** What the absolute {@code path} names inside the running qube, as {@link #lookupFirst} finds it. */
    default Optional<FileKind> lookup(RunningQube qube, String path) throws IOException {
        return lookupFirst(qube, List.of(path)).map(FoundPath::kind);
    }

    /**
     * At most {@code max} bytes of the first of {@code paths} that is a regular file inside the
     * running qube, resolved as in {@link #lookupFirst} (a symlink is not followed, and a path
     * with anything else there is passed over). Empty when none is.
     */
    Optional<byte[]> readFirst(RunningQube qube, List<String> paths, int max) throws IOException;

    /** At most {@code max} bytes of the regular file at {@code path}, as {@link #readFirst} reads it. */
    default Optional<byte[]> readFile(RunningQube qube, String path, int max) throws IOException {
        return readFirst(qube, List.of(path), max);
    }

    /**
     * Connects to the unix socket at {@code path} inside the running qube, resolved as in
     * {@link #lookup} (a symlink is not followed): how qrexec reaches a socket service
     * without starting a process in the target. Fails unless a socket is there.
     */
    SocketChannel connectUnix(RunningQube qube, String path) throws IOException;

    /**
     * Finds a qube that is still running from an earlier daemon (by the files in its
     * runtime directory) and takes it back. Cleans up the leftovers of a qube that died
     * meanwhile and returns empty.
     */
    Optional<RunningQube> reattach(QubeSpec spec);

    /**
     * Completes once the qube has stopped, however it stopped (through this driver, or by
     * itself: its init exited or was killed), and the driver has cleaned up after it. The
     * daemon hangs its {@code domain-stopped} / {@code domain-shutdown} handling on this.
     * Works for reattached qubes too.
     */
    java.util.concurrent.CompletableFuture<RunningQube> onStop(RunningQube qube);

    /** True while the qube's processes exist (paused counts as running). */
    boolean isRunning(RunningQube qube);

    QubeStats stats(RunningQube qube);

    /** Throws {@link QubesNotImplementedError} unless {@code cap} is supported. */
    default void require(Capability cap) {
        if (!capabilities().contains(cap)) {
            throw new QubesNotImplementedError("driver " + name() + " cannot do " + cap.name().toLowerCase());
        }
    }
}
