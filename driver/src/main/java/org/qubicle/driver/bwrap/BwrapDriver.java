package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.qubicle.driver.Capability;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.FoundPath;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.Probe;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.QubeStats;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.SandboxSpec;
import org.qubicle.driver.seccomp.SeccompFilter;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMAlreadyStartedError;
import org.qubicle.model.exc.QubesVMError;
import org.qubicle.model.exc.QubesVMNotRunningError;

/**
 * Qubes as Linux namespaces through bubblewrap ({@code virt_mode} {@code bwrap}).
 *
 * <p>Each qube has its own user (mapped {@code 0 BASE 65536}), pid, mount, ipc, uts,
 * cgroup and network namespaces and its own cgroup; every process in it runs with
 * no_new_privs, the {@link SeccompFilter} and only {@link BwrapArgs#ROOT_CAPS} (for root;
 * none for the user). Starting follows DESIGN.md §2 with one process less: bwrap, as the
 * base uid, makes the user namespace itself and waits while root writes its maps
 * ({@link UserNamespaceMap}). See docs/driver.md.
 *
 * <p>The daemon must run as root. The qube outlives the daemon: nothing ties bwrap to
 * the JVM, and {@link #reattach} takes it back from the files in its runtime directory.
 */
public final class BwrapDriver implements IsolationDriver {
    static final String NAME = "bwrap";
    private static final int SIGTERM = 15;

    private final Cgroups.Detected cgroups;

    public BwrapDriver() {
        this.cgroups = Cgroups.detect();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public Probe probe() {
        List<String> why = new ArrayList<>();
        for (String t : List.of("bwrap", "setpriv", "nsenter", "setsid", "sh", "mount", "umount")) {
            if (Host.tool(t).isEmpty()) {
                why.add(t + " not found" + (t.equals("bwrap") ? " (install the bubblewrap package)" : ""));
            }
        }
        if (!Host.isRoot()) {
            why.add("the daemon must run as root to write uid maps and cgroups");
        }
        if (readInt("/proc/sys/user/max_user_namespaces", 1) == 0) {
            why.add("user namespaces are disabled (user.max_user_namespaces = 0)");
        }
        if (readInt("/proc/sys/kernel/unprivileged_userns_clone", 1) == 0) {
            why.add("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)");
        }
        if (readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 0) == 1) {
            why.add("AppArmor restricts unprivileged user namespaces "
                    + "(kernel.apparmor_restrict_unprivileged_userns = 1)");
        }
        if (!Files.exists(Path.of("/proc/self/ns/cgroup"))) {
            why.add("the kernel has no cgroup namespaces");
        }
        why.addAll(cgroups.reasons());
        return Probe.of(NAME, why);
    }

    private static int readInt(String file, int missing) {
        try {
            return Integer.parseInt(Files.readString(Path.of(file)).trim());
        } catch (IOException | NumberFormatException e) {
            return missing;
        }
    }

    private Cgroups cgroups() {
        if (cgroups.cgroups() == null) {
            throw new QubesVMError("bwrap driver unusable: " + String.join("; ", cgroups.reasons()));
        }
        return cgroups.cgroups();
    }

    @Override
    public RunningQube start(QubeSpec spec) {
        return start(spec.sandbox(), () -> spec);
    }

    /**
     * The start, in the order of DESIGN.md §2, with the sandbox's own start overlapping
     * the storage's: the runtime files, the cgroup and the wrapper (cgroups joined, then
     * nsenter or setpriv, then bwrap, which blocks reading its options) need only
     * {@code sandbox}; then the whole spec (waiting for the storage), the mounts that need
     * it, bwrap's options, the uid maps, and the init.
     */
    @Override
    public RunningQube start(SandboxSpec sandbox, Supplier<QubeSpec> whole) {
        QubeFiles f = new QubeFiles(sandbox);
        if (reattach(f, Optional.empty()).isPresent()) {
            throw new QubesVMAlreadyStartedError("qube " + sandbox.name() + " is already running");
        }
        Process bwrap = null;
        QubeCgroup cg = null;
        QubeSpec spec = null;
        RuntimeException passOn = null; // thrown as it is: the supplier's own, or a spec of another sandbox
        // The init's script and its view must agree on the forker: decided once.
        boolean forkerFromInit = Forker.fromInit();
        try {
            StartSteps.prepareRuntime(f, forkerFromInit);
            cg = cgroups().create(f.cgroupLeaf(), sandbox);
            // One spawn: the wrapper joins the cgroups and execs bwrap, which reads its
            // options from the FIFO we hold open (so its open does not block), makes the
            // user namespace and waits until we have mapped it.
            try (FileChannel options = FileChannel.open(f.args(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                bwrap = new ProcessBuilder(Launcher.startCommand(f, cg.procsFiles(), sandbox.netns(), forkerFromInit))
                        .redirectError(ProcessBuilder.Redirect.appendTo(f.console().toFile())).start();
                QubeSpec got;
                try {
                    got = whole.get();
                    IsolationDriver.requireSandbox(sandbox, got);
                } catch (RuntimeException e) {
                    passOn = e;
                    throw e;
                }
                spec = got;
                StartSteps.prepareFiles(f, spec);
                StartSteps.writeOptions(options, BwrapArgs.init(f, spec, forkerFromInit));
                // Closing our end before the wrapper opened its own would drop the options.
                StartSteps.awaitReader(f, bwrap);
            } // closed: bwrap reads to the end of its options
            try {
                UserNamespaceMap.apply(bwrap, sandbox.baseUid());
            } catch (IOException | QubesVMError e) {
                throw new QubesVMError("qube " + sandbox.name() + " failed to start: " + e.getMessage()
                        + StartSteps.consoleTail(f, bwrap));
            }
            StartSteps.awaitInit(f, bwrap);
            // Running means ready for execs, as a Qubes qube is once its qrexec agent answers.
            if (forkerFromInit) {
                Forker.awaitReader(f, FORKER_START);
            }
            Instant started = Instant.now();
            f.writeState(new QubeFiles.State(bwrap.pid(), Host.startTime(bwrap.pid()), started));
            return new RunningQube(spec, NAME, bwrap.pid(), started);
        } catch (IOException | RuntimeException e) {
            if (bwrap != null) {
                bwrap.destroyForcibly();
                try {
                    // Its mount namespace holds our mounts until it is gone.
                    bwrap.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                cleanup(f, Optional.ofNullable(spec), cg);
            } catch (QubesVMError c) {
                // The reason the start failed comes first; the cleanup's trouble after it.
                throw new QubesVMError("cannot start " + sandbox.name() + ": " + e.getMessage() + "; " + c.getMessage());
            }
            if (e == passOn) {
                throw passOn;
            }
            if (e instanceof QubesException q) {
                throw q;
            }
            throw new QubesVMError("cannot start " + sandbox.name() + ": " + e.getMessage());
        }
    }

    /** The qube's pid 1 (bwrap's reaper, in the qube's namespaces): the outer bwrap's child. */
    static Optional<Long> pid1(long outer) {
        return Host.children(outer).stream().findFirst();
    }

    /**
     * The init shell: pid 1's child that handles SIGTERM. (pid 1 also adopts orphans, so
     * its first child is not always the init.)
     */
    static Optional<Long> initShell(long outer) {
        return pid1(outer).flatMap(p -> Host.children(p).stream().filter(c -> Host.catches(c, SIGTERM)).findFirst());
    }

    @Override
    public boolean shutdown(RunningQube qube, Duration timeout) {
        QubeFiles f = files(qube);
        Optional<QubeCgroup> cg = cgroups().find(f.cgroupLeaf());
        if (!isRunning(qube)) {
            cleanup(f, Optional.of(qube.spec()), cg.orElse(null));
            return true;
        }
        try {
            if (cg.isPresent()) {
                cg.get().freeze(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // SIGTERM to the init; sent again now and then in case it arrived while the init
        // was not yet (or no longer) waiting, which a shell can miss.
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean clean = false;
        while (!clean) {
            initShell(qube.pid()).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroy);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            clean = awaitExit(qube.pid(), Duration.ofNanos(Math.min(left, 500_000_000L)));
            if (!clean && System.nanoTime() >= deadline) {
                break;
            }
        }
        if (!clean) {
            kill(qube);
            return false;
        }
        cleanup(f, Optional.of(qube.spec()), cg.orElse(null));
        return true;
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return true;
        }
        try {
            h.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.get().isAlive();
        }
    }

    @Override
    public void kill(RunningQube qube) {
        QubeFiles f = files(qube);
        Optional<QubeCgroup> cg = cgroups().find(f.cgroupLeaf());
        if (isRunning(qube)) {
            // Killing the qube's pid 1 makes the kernel kill its whole pid namespace.
            pid1(qube.pid()).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(qube.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        cleanup(f, Optional.of(qube.spec()), cg.orElse(null));
    }

    private final java.util.concurrent.ConcurrentHashMap<Path, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();

    /** One lock per qube runtime dir: shutdown and a stop noticed by onStop clean up in turn. */
    private Object lock(QubeFiles f) {
        return locks.computeIfAbsent(f.dir(), d -> new Object());
    }

    /**
     * Kills whatever is left in the cgroup, then removes cgroup, mounts and files.
     * {@code spec} is the qube's whole spec, empty when a start failed before it had one.
     */
    private void cleanup(QubeFiles f, Optional<QubeSpec> spec, QubeCgroup cg) {
        synchronized (lock(f)) {
            cleanupLocked(f, spec, cg);
        }
    }

    private void cleanupLocked(QubeFiles f, Optional<QubeSpec> spec, QubeCgroup cg) {
        List<Exception> errors = new ArrayList<>();
        if (cg != null) {
            try {
                cg.killAll();
                cg.remove();
            } catch (IOException e) {
                errors.add(e);
            }
        }
        for (Path m : List.of(f.mergedRoot(), f.home())) {
            if (isMounted(m)) {
                try {
                    Mounts.unmount(m);
                } catch (IOException e) {
                    errors.add(e);
                }
            }
        }
        try {
            f.removeAll(spec);
        } catch (IOException e) {
            errors.add(e);
        }
        if (!errors.isEmpty()) {
            throw new QubesVMError("cleanup of " + f.sandbox().name() + " incomplete: " + errors.get(0).getMessage());
        }
    }

    static boolean isMounted(Path p) {
        try {
            // The mount table names real paths: /var/run is often a link to /run.
            Path real = Files.exists(p) ? p.toRealPath() : p;
            String target = " " + real + " ";
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(target));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void pause(RunningQube qube) {
        QubeCgroup cg = liveCgroup(qube);
        try {
            cg.freeze(true);
            while (!cg.frozen()) {
                QubeCgroup.sleep(1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void unpause(RunningQube qube) {
        QubeCgroup cg = liveCgroup(qube);
        try {
            if (!cg.frozen()) {
                throw new org.qubicle.model.exc.QubesVMNotPausedError("qube " + qube.name() + " is not paused");
            }
            cg.freeze(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private QubeCgroup liveCgroup(RunningQube qube) {
        if (!isRunning(qube)) {
            throw new QubesVMNotRunningError("qube " + qube.name() + " is not running");
        }
        return cgroups().find(files(qube).cgroupLeaf())
                .orElseThrow(() -> new QubesVMNotRunningError("qube " + qube.name() + " has no cgroup"));
    }

    @Override
    public QubeProcess exec(RunningQube qube, ExecSpec exec) {
        Live l = live(qube);
        // The qube's resident forker when it has one; the host chain below otherwise.
        Optional<QubeProcess> forked = forker.exec(l.f(), qube.pid(), l.cg(), exec, forkerLauncher(qube, l));
        return forked.isPresent() ? forked.get() : execByChain(qube, l, exec);
    }

    /** Starts the resident forker now (it otherwise starts at the second exec) and waits for it. */
    @Override
    public void prepareExec(RunningQube qube, Duration wait) {
        Live l = live(qube);
        forker.launchNow(l.f(), qube.pid(), forkerLauncher(qube, l), wait);
    }

    /** What an exec into a running qube needs: its files, its live cgroup, its pid 1. */
    private record Live(QubeFiles f, QubeCgroup cg, long pid1) {
    }

    private Live live(RunningQube qube) {
        QubeFiles f = files(qube);
        QubeCgroup cg = liveCgroup(qube);
        long pid1 = pid1(qube.pid()).orElseThrow(
                () -> new QubesVMNotRunningError("qube " + qube.name() + " is not running"));
        return new Live(f, cg, pid1);
    }

    private Forker.Launcher forkerLauncher(RunningQube qube, Live l) {
        return () -> {
            synchronized (lock(l.f())) {
                if (!isRunning(qube)) {
                    throw new IOException("qube " + qube.name() + " stopped");
                }
                Forker.prepare(l.f());
                return new ProcessBuilder(chain(l.f(), l.cg(), l.pid1(), BwrapArgs.forker(l.f(), qube.spec())))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.appendTo(l.f().console().toFile())).start();
            }
        };
    }

    @Override
    public Optional<FoundPath> lookupFirst(RunningQube qube, List<String> paths) throws IOException {
        return InsidePaths.lookupFirst(livePid1(qube), paths);
    }

    @Override
    public Optional<byte[]> readFirst(RunningQube qube, List<String> paths, int max) throws IOException {
        return InsidePaths.readFirst(livePid1(qube), paths, max);
    }

    @Override
    public SocketChannel connectUnix(RunningQube qube, String path) throws IOException {
        return InsidePaths.connect(livePid1(qube), path);
    }

    private long livePid1(RunningQube qube) {
        if (!isRunning(qube)) {
            throw new QubesVMNotRunningError("qube " + qube.name() + " is not running");
        }
        return pid1(qube.pid()).orElseThrow(() -> new QubesVMNotRunningError("qube " + qube.name() + " is not running"));
    }

    /** An exec through the host chain only (also what tests compare the forker with). */
    QubeProcess execByChain(RunningQube qube, ExecSpec exec) {
        return execByChain(qube, live(qube), exec);
    }

    private static QubeProcess execByChain(RunningQube qube, Live l, ExecSpec exec) {
        try {
            return new BwrapProcess(new ProcessBuilder(chain(l.f(), l.cg(), l.pid1(),
                    BwrapArgs.exec(l.f(), qube.spec(), exec))).start());
        } catch (IOException e) {
            throw new QubesVMError("cannot run in " + qube.name() + ": " + e.getMessage());
        }
    }

    private final Forker forker = new Forker();
    /** How long a start waits for the init's forker; without it, execs take the host chain. */
    private static final Duration FORKER_START = Duration.ofSeconds(5);

    /** The host chain that runs bwrap with {@code bwrapArgs} in the running qube of {@code pid1}. */
    private static List<String> chain(QubeFiles f, QubeCgroup cg, long pid1, List<String> bwrapArgs) {
        Path ns = Path.of("/proc", Long.toString(pid1), "ns");
        return Launcher.command(f, cg.procsFiles(), ns.resolve("user"), ns.resolve("pid"), Optional.of(pid1),
                Optional.empty(), bwrapArgs);
    }

    @Override
    public Optional<RunningQube> reattach(QubeSpec spec) {
        return reattach(new QubeFiles(spec), Optional.of(spec))
                .map(st -> new RunningQube(spec, NAME, st.pid(), st.started()));
    }

    /**
     * Whether bwrap's child {@code pid1}, the qube's pid 1, still runs in a user namespace of its
     * own (bwrap itself stays in the host's). A pid 1 killed a moment ago stays bwrap's child, a
     * zombie, until bwrap reaps it, and a zombie still shows its user namespace: it counts as gone.
     */
    private static boolean inQubeNamespace(long pid1) {
        return !Host.exited(pid1) && !Host.ns(pid1, "user").equals(Host.ns("self", "user"));
    }

    /** The state of the qube if it still runs; otherwise clears what a crash or a dead qube left. */
    private Optional<QubeFiles.State> reattach(QubeFiles f, Optional<QubeSpec> spec) {
        Optional<QubeFiles.State> st = f.readState();
        if (st.isPresent() && Host.startTime(st.get().pid()) == st.get().startTime()
                && pid1(st.get().pid()).map(BwrapDriver::inQubeNamespace).orElse(false)) {
            return st;
        }
        boolean leftovers = st.isPresent() || Files.exists(f.seccomp()) || Files.exists(f.shared())
                || cgroups().find(f.cgroupLeaf()).isPresent() || isMounted(f.mergedRoot()) || isMounted(f.home());
        if (leftovers) {
            cleanup(f, spec, cgroups().find(f.cgroupLeaf()).orElse(null));
        }
        return Optional.empty();
    }

    @Override
    public java.util.concurrent.CompletableFuture<RunningQube> onStop(RunningQube qube) {
        QubeFiles f = files(qube);
        Optional<ProcessHandle> h = ProcessHandle.of(qube.pid()).filter(p -> isRunning(qube));
        java.util.concurrent.CompletableFuture<ProcessHandle> exited = h.map(ProcessHandle::onExit)
                .orElseGet(() -> java.util.concurrent.CompletableFuture.completedFuture(null));
        // Runs after shutdown/kill cleaned up (then there is nothing left to do) or after
        // the qube stopped by itself (then its cgroup, mounts and files go now).
        // Only while bwrap.state still names this qube: a new start of the same qube
        // writes a new pid, and its cgroup must not be touched.
        java.util.function.Function<Object, RunningQube> reap = x -> {
            synchronized (lock(f)) {
                if (f.readState().map(st -> st.pid() == qube.pid()).orElse(false)
                        && Host.startTime(qube.pid()) < 0) {
                    cleanup(f, Optional.of(qube.spec()), cgroups().find(f.cgroupLeaf()).orElse(null));
                }
            }
            return qube;
        };
        // A qube that is already gone is reaped here and now, so the future is done at once.
        return h.isEmpty() ? java.util.concurrent.CompletableFuture.completedFuture(reap.apply(null))
                : exited.thenApplyAsync(reap);
    }

    @Override
    public boolean isRunning(RunningQube qube) {
        return Host.startTime(qube.pid()) >= 0
                && files(qube).readState().map(s -> s.startTime() == Host.startTime(qube.pid())).orElse(false);
    }

    @Override
    public QubeStats stats(RunningQube qube) {
        QubeCgroup cg = liveCgroup(qube);
        try {
            return new QubeStats(cg.memoryBytes(), cg.pidsCurrent(), cg.cpuNanos(), cg.frozen());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private QubeFiles files(RunningQube qube) {
        if (!qube.driver().equals(NAME)) {
            throw new IllegalArgumentException("not a bwrap qube: " + qube.driver());
        }
        return new QubeFiles(qube.spec());
    }

    /** cgroup directories of every qube of every instance on this host (for leak checks). */
    public static List<Path> cgroupDirs() {
        Cgroups c = Cgroups.detect().cgroups();
        return c == null ? List.of() : c.allQubeDirs();
    }
}
