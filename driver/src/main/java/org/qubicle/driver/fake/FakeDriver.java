package org.qubicle.driver.fake;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.qubicle.driver.Capability;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.FileKind;
import org.qubicle.driver.FoundPath;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.Probe;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.QubeStats;
import org.qubicle.driver.SocketConnect;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.exc.QubesVMAlreadyStartedError;
import org.qubicle.model.exc.QubesVMError;
import org.qubicle.model.exc.QubesVMNotPausedError;
import org.qubicle.model.exc.QubesVMNotRunningError;

/**
 * A driver for unit tests: no isolation at all. A "qube" is a record in a {@link FakeHost};
 * {@code exec} runs the command as an ordinary host process ({@code sh}, {@code cat}, ...)
 * in the qube's runtime directory; shutdown sends SIGTERM to those processes and SIGKILL
 * after the timeout; pause stops them with SIGSTOP. It needs no root.
 *
 * <p>Several driver objects on one {@code FakeHost} see the same qubes, which is how a test
 * simulates a daemon restart and {@link #reattach}.
 */
public final class FakeDriver implements IsolationDriver {
    /** The simulated host: which qubes run, and their processes. */
    public static final class FakeHost {
        final Map<String, FakeQube> qubes = new ConcurrentHashMap<>();
        private long nextPid = 1_000_000;

        synchronized long pid() {
            return nextPid++;
        }

        /** Names of the qubes that run on this host. */
        public Set<String> running() {
            return Set.copyOf(qubes.keySet());
        }

        /** Host processes started by exec that are still alive, across all qubes. */
        public long liveProcesses() {
            return qubes.values().stream().flatMap(q -> q.processes.stream()).filter(Process::isAlive).count();
        }
    }

    static final class FakeQube {
        final long pid;
        final Instant started;
        final List<Process> processes = new CopyOnWriteArrayList<>();
        volatile boolean paused;
        final java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();

        FakeQube(long pid, Instant started) {
            this.pid = pid;
            this.started = started;
        }
    }

    private final FakeHost host;
    private final Set<Capability> caps;

    /** A fake with every capability, on its own host. */
    public FakeDriver() {
        this(new FakeHost(), EnumSet.allOf(Capability.class));
    }

    public FakeDriver(FakeHost host, Set<Capability> caps) {
        this.host = host;
        this.caps = caps.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(caps);
        this.caps.add(Capability.LIFECYCLE);
    }

    public FakeHost host() {
        return host;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Probe probe() {
        return Probe.ok(name());
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.copyOf(caps);
    }

    @Override
    public RunningQube start(QubeSpec spec) {
        FakeQube q = new FakeQube(host.pid(), Instant.now());
        if (host.qubes.putIfAbsent(key(spec), q) != null) {
            throw new QubesVMAlreadyStartedError("qube " + spec.name() + " is already running");
        }
        return new RunningQube(spec, name(), q.pid, q.started);
    }

    @Override
    public boolean shutdown(RunningQube qube, Duration timeout) {
        FakeQube q = host.qubes.get(key(qube.spec()));
        if (q == null || q.pid != qube.pid()) {
            return true;
        }
        signal(q, "CONT");
        q.processes.forEach(p -> p.toHandle().destroy());
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean clean = true;
        for (Process p : q.processes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    clean = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                clean = false;
            }
        }
        kill(qube);
        return clean;
    }

    @Override
    public void kill(RunningQube qube) {
        FakeQube q = host.qubes.get(key(qube.spec()));
        if (q == null || q.pid != qube.pid()) {
            return;
        }
        signal(q, "CONT");
        for (Process p : q.processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        host.qubes.remove(key(qube.spec()), q);
        q.stopped.complete(null);
    }

    @Override
    public java.util.concurrent.CompletableFuture<RunningQube> onStop(RunningQube qube) {
        FakeQube q = host.qubes.get(key(qube.spec()));
        if (q == null || q.pid != qube.pid()) {
            return java.util.concurrent.CompletableFuture.completedFuture(qube);
        }
        return q.stopped.thenApply(x -> qube);
    }

    @Override
    public void pause(RunningQube qube) {
        require(Capability.PAUSE);
        FakeQube q = live(qube);
        q.paused = true;
        signal(q, "STOP");
    }

    @Override
    public void unpause(RunningQube qube) {
        require(Capability.PAUSE);
        FakeQube q = live(qube);
        if (!q.paused) {
            throw new QubesVMNotPausedError("qube " + qube.name() + " is not paused");
        }
        q.paused = false;
        signal(q, "CONT");
    }

    @Override
    public QubeProcess exec(RunningQube qube, ExecSpec exec) {
        require(Capability.EXEC);
        FakeQube q = live(qube);
        try {
            ProcessBuilder pb = new ProcessBuilder(exec.command());
            pb.environment().putAll(exec.env());
            Process p = pb.start();
            q.processes.add(p);
            if (q.paused) {
                signal(p, "STOP");
            }
            return new FakeProcess(p);
        } catch (IOException e) {
            throw new QubesVMError("cannot run in " + qube.name() + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<FoundPath> lookupFirst(RunningQube qube, List<String> paths) throws IOException {
        for (String path : paths) {
            Optional<Path> p = inside(qube, path);
            if (p.isPresent()) {
                return Optional.of(new FoundPath(path, kind(p.get())));
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> readFirst(RunningQube qube, List<String> paths, int max) throws IOException {
        for (String path : paths) {
            Optional<Path> p = inside(qube, path).filter(f -> kind(f) == FileKind.REGULAR);
            if (p.isPresent()) {
                try (java.io.InputStream in = Files.newInputStream(p.get(), LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(in.readNBytes(max));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public SocketChannel connectUnix(RunningQube qube, String path) throws IOException {
        Optional<Path> p = inside(qube, path);
        if (p.isEmpty() || kind(p.get()) != FileKind.SOCKET) {
            throw new IOException(path + ": not a socket in " + qube.name());
        }
        return SocketConnect.now(UnixDomainSocketAddress.of(p.get()), path);
    }

    /**
     * The host file behind {@code path} in the fake qube: {@code /rw} is its private
     * directory, anything else lies under {@code root} in its runtime directory. A symlink
     * on the way is never followed (the fake has no root to resolve it in): not there.
     */
    private Optional<Path> inside(RunningQube qube, String path) {
        require(Capability.INSIDE_PATHS);
        live(qube);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        Path rel = Path.of(path.substring(1)).normalize();
        Path base = rel.startsWith("rw") ? qube.spec().privateDir() : qube.spec().runtimeDir().resolve("root");
        if (rel.startsWith("rw")) {
            rel = rel.getNameCount() == 1 ? Path.of("") : rel.subpath(1, rel.getNameCount());
        }
        Path at = base;
        for (Path part : rel) {
            if (part.toString().equals("..") || Files.isSymbolicLink(at)) {
                return Optional.empty();
            }
            at = at.resolve(part);
        }
        return Files.exists(at, LinkOption.NOFOLLOW_LINKS) ? Optional.of(at) : Optional.empty();
    }

    private static FileKind kind(Path p) {
        try {
            var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return FileKind.SYMLINK;
            }
            if (a.isDirectory()) {
                return FileKind.DIRECTORY;
            }
            if (a.isRegularFile()) {
                return FileKind.REGULAR;
            }
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return ((Integer) mode & 0170000) == 0140000 ? FileKind.SOCKET : FileKind.OTHER;
        } catch (IOException e) {
            return FileKind.OTHER;
        }
    }

    @Override
    public Optional<RunningQube> reattach(QubeSpec spec) {
        require(Capability.REATTACH);
        FakeQube q = host.qubes.get(key(spec));
        return q == null ? Optional.empty() : Optional.of(new RunningQube(spec, name(), q.pid, q.started));
    }

    @Override
    public boolean isRunning(RunningQube qube) {
        FakeQube q = host.qubes.get(key(qube.spec()));
        return q != null && q.pid == qube.pid();
    }

    @Override
    public QubeStats stats(RunningQube qube) {
        require(Capability.STATS);
        FakeQube q = live(qube);
        long alive = q.processes.stream().filter(Process::isAlive).count();
        return new QubeStats(0, alive, -1, q.paused);
    }

    private FakeQube live(RunningQube qube) {
        FakeQube q = host.qubes.get(key(qube.spec()));
        if (q == null || q.pid != qube.pid()) {
            throw new QubesVMNotRunningError("qube " + qube.name() + " is not running");
        }
        return q;
    }

    private static String key(QubeSpec spec) {
        return spec.runtimeDir().toString();
    }

    private static void signal(FakeQube q, String sig) {
        q.processes.stream().filter(Process::isAlive).forEach(p -> signal(p, sig));
    }

    private static void signal(Process p, String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
