package org.qubicle.daemon.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.handlers.LifecycleHandlers;
import org.qubicle.daemon.net.QubeNetwork;
import org.qubicle.daemon.net.Wiring;
import org.qubicle.daemon.storage.QubeStorage;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.QubeStats;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.SandboxSpec;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.Notice;
import org.qubicle.model.event.PropertyReset;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMError;
import org.qubicle.model.exc.QubesVMInUseError;
import org.qubicle.model.exc.QubesVMNotPausedError;
import org.qubicle.model.exc.QubesVMNotRunningError;
import org.qubicle.model.exc.QubesVMNotStartedError;

/**
 * Runs qubes: start (netvm chain first), shutdown, kill, pause, unpause, current state, and
 * taking back qubes that outlived an earlier daemon. Power state and Qubes' lifecycle
 * events are kept in the model.
 *
 * <p>Every public method runs holding the system's lock ({@link Qubes#lock()}), as the API
 * calls it. A graceful shutdown runs its wait in a virtual thread without the lock; a
 * {@code wait} shutdown waits on the lock's monitor, which releases it meanwhile.
 */
public final class LifecycleService implements LifecycleHandlers.Lifecycle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LifecycleService.class.getName());

    private final Qubes app;
    private final IsolationDriver driver;
    private final QubeStorage storage;
    private final Path runDir;
    private final Runnable save;
    private final Map<String, RunningQube> running = new ConcurrentHashMap<>();
    private final Map<String, QubesDb> qdbs = new ConcurrentHashMap<>();
    private final Watcher watcher;
    private final Preloads preloads;
    private volatile boolean closed;
    private QubeNetwork network = QubeNetwork.NONE;
    /** Adds to a qube's driver spec before start and reattach (qrexec: socket and runtime binds). */
    private volatile java.util.function.UnaryOperator<QubeSpec> specHook = s -> s;
    /** Told the name of every qube that stopped (qrexec closes its socket). */
    private volatile java.util.function.Consumer<String> stopHook = n -> { };

    /**
     * @param runDir {@code $QUBES_ROOT/var/run/qubes}: one runtime directory per qube
     * @param save   saves qubes.xml (after a disposable is removed); runs holding the lock
     */
    public LifecycleService(Qubes app, IsolationDriver driver, QubeStorage storage, Path runDir, Runnable save) {
        this.app = app;
        this.driver = driver;
        this.storage = storage;
        this.runDir = runDir;
        this.save = save;
        this.watcher = new Watcher(this);
        this.preloads = new Preloads(app, this, save);
    }

    /** Wires qubes' networks from now on (docs/net.md); set before {@link #reattachAll}. */
    public void setNetwork(QubeNetwork network) {
        this.network = network;
    }

    public IsolationDriver driver() {
        return driver;
    }

    /**
     * Lets another subsystem (qrexec) add to every qube's driver spec and hear of every stop.
     * Set once, before {@link #reattachAll()}.
     */
    public void setHooks(java.util.function.UnaryOperator<QubeSpec> spec, java.util.function.Consumer<String> stopped) {
        this.specHook = spec;
        this.stopHook = stopped;
    }

    /** The handle of a running qube, for exec. */
    public Optional<RunningQube> handle(String name) {
        return Optional.ofNullable(running.get(name));
    }

    /** Takes back every qube still running from an earlier daemon; starts the death watcher. */
    public void reattachAll() {
        synchronized (app.lock()) {
            for (Qube q : List.copyOf(app.qubes())) {
                if (q.klass() == QubeClass.ADMIN_VM) {
                    continue;
                }
                Optional<RunningQube> rq;
                try {
                    Path rt = runtimeDir(q);
                    if (!Files.exists(rt)) {
                        continue;
                    }
                    rq = driver.reattach(spec(q, storage.adopt(q, baseUid(q))));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "taking back " + q.name() + " failed", e);
                    rq = Optional.empty();
                }
                if (rq.isPresent()) {
                    running.put(q.name(), rq.get());
                    qdbs.put(q.name(), QubesDb.forQube(q));
                    watch(q.name(), rq.get());
                    boolean paused = stats(rq.get()).map(QubeStats::paused).orElse(false);
                    q.setPowerState(paused ? PowerState.Paused : PowerState.Running);
                    LOG.info("took back running qube " + q.name());
                } else {
                    // Died while no daemon watched: the driver cleaned up; storage follows.
                    cleanupDead(q);
                }
            }
            // Disposables that died with no daemon watching are removed as at their shutdown.
            for (Qube q : List.copyOf(app.qubes())) {
                if (autoCleanup(q) && !running.containsKey(q.name())) {
                    removeDisposable(q);
                }
            }
            network.tookBack(app.qubes().stream().filter(q -> running.containsKey(q.name())).toList());
        }
        watcher.start();
        preloads.start();
        Autostart.atBoot(app, this, runDir);
    }

    @Override
    public void start(Qube q) {
        if (q.klass() == QubeClass.ADMIN_VM) {
            throw new QubesVMError("Cannot start Dom0 fake domain!");
        }
        startChain(q, 0);
    }

    /**
     * qubesd's {@code QubesVM.start()} order: {@code prohibit-start}, {@code domain-pre-start},
     * the netvm chain, storage, {@code domain-pre-spawn}, the driver, {@code property-reset}
     * of xid/stubdom_xid/start_time, {@code domain-spawn}, QubesDB and
     * {@code domain-qdb-create}, {@code domain-pre-unpaused}/{@code domain-unpaused} (Qubes
     * creates the domain paused), Running, {@code domain-start}.
     */
    private void startChain(Qube q, int depth) {
        if (q.powerState() != PowerState.Halted) {
            return; // qubesd: a no-op unless halted
        }
        if (depth > 16) {
            throw new QubesException("netvm chain too long at " + q.name());
        }
        long t0 = System.nanoTime();
        String prohibit = q.features().find("prohibit-start").orElse("");
        if (!prohibit.isEmpty()) {
            String reason = "Qube start is prohibited. Rationale: " + prohibit;
            app.events().fire(Notice.of(q.name(), "domain-start-failed", "reason", reason));
            throw new QubesException(reason);
        }
        try {
            app.events().fire(Notice.of(q.name(), "domain-pre-start", "start_guid", "True", "mem_required", "None"));
        } catch (RuntimeException e) {
            app.events().fire(Notice.of(q.name(), "domain-start-failed", "reason", reasonOf(e)));
            throw e;
        }
        q.setPowerState(PowerState.Transient);
        RunningQube rq = null;
        Pending<QubeStorage.Prepared> storageJob = null;
        Wiring wiringStarted = null;
        String phases = "";
        try {
            Optional<Qube> netvm = q.netvm();
            if (netvm.isPresent() && netvm.get().klass() != QubeClass.ADMIN_VM) {
                startChain(netvm.get(), depth + 1);
            }
            // The storage is prepared beside the network wiring and the sandbox's own start
            // (IsolationDriver#start(SandboxSpec, Supplier)); the driver waits for it only
            // when it needs the file system.
            long base = baseUid(q);
            storageJob = Pending.start("storage-" + q.name(), () -> storage.prepare(q, base));
            long t2 = System.nanoTime();
            Wiring wiring = network.starting(q);
            wiringStarted = wiring;
            long t3 = System.nanoTime();
            Pending<QubeStorage.Prepared> job = storageJob;
            long[] waited = {0};
            SandboxSpec sandbox = sandbox(q, wiring.netns());
            rq = driver.start(sandbox, () -> {
                long w0 = System.nanoTime();
                QubeStorage.Prepared prepared = job.await();
                waited[0] = System.nanoTime() - w0;
                QubeSpec spec = wiring.applyTo(spec(q, sandbox, prepared));
                app.events().fire(Notice.of(q.name(), "domain-pre-spawn", "start_guid", "True"));
                return spec;
            });
            long t4 = System.nanoTime();
            running.put(q.name(), rq);
            watch(q.name(), rq);
            wiring.linked().await(); // the links were made meanwhile; the qube is not Running without them
            long t5 = System.nanoTime();
            phases = String.format(" (storage %.1f, network %.1f, driver %.1f, waited %.1f, link-wait %.1f ms)",
                    job.millis(), (t3 - t2) / 1e6, (t4 - t3) / 1e6, waited[0] / 1e6, (t5 - t4) / 1e6);
            for (String p : List.of("xid", "stubdom_xid", "start_time")) {
                app.events().fire(new PropertyReset(q.name(), p, null));
            }
            app.events().fire(Notice.of(q.name(), "domain-spawn", "start_guid", "True"));
            qdbs.put(q.name(), QubesDb.forQube(q));
            app.events().fire(Notice.of(q.name(), "domain-qdb-create"));
            app.events().fire(Notice.of(q.name(), "domain-pre-unpaused"));
            app.events().fire(Notice.of(q.name(), "domain-unpaused"));
            q.setPowerState(PowerState.Running);
            app.events().fire(Notice.of(q.name(), "domain-start", "start_guid", "True"));
            LOG.info(String.format("started %s in %.1f ms%s", q.name(), (System.nanoTime() - t0) / 1e6, phases));
        } catch (RuntimeException e) {
            String reason = reasonOf(e);
            app.events().fire(Notice.of(q.name(), "domain-start-failed", "reason", reason));
            if (rq != null) {
                // As qubesd: the domain is killed, which fires domain-stopped and domain-shutdown.
                RunningQube started = rq;
                quietly(started, () -> driver.kill(started));
                stopped(q, started);
            } else {
                if (wiringStarted != null) {
                    wiringStarted.linked().settle(); // the namespace goes only once its linking has ended
                }
                quietly(null, () -> network.stopped(q));
                if (storageJob != null) {
                    storageJob.settle(); // storage is released only once its preparation has ended
                }
                quietly(null, () -> storage.release(q));
                quietly(null, () -> stopHook.accept(q.name()));
                q.setPowerState(PowerState.Halted);
                if (autoCleanup(q)) {
                    removeDisposable(q);
                }
            }
            if (e instanceof QubesException) {
                throw e;
            }
            throw new QubesVMError("Start failed: " + reason);
        }
    }

    private static String reasonOf(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The driver tells us at once when the qube stops by itself; {@link #died} ignores the
     * stops that shutdown and kill already handled.
     */
    private void watch(String name, RunningQube rq) {
        try {
            driver.onStop(rq).whenComplete((r, e) -> Thread.ofVirtual().name("stopped-" + name)
                    .start(() -> died(name, rq)));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot watch " + name + "; the slow poll will notice its stop", e);
        }
    }

    /** The QubesDB of a running qube (entries written at start; handlers of domain-qdb-create add theirs). */
    public Optional<QubesDb> qubesDb(String name) {
        return Optional.ofNullable(qdbs.get(name));
    }

    @Override
    public void shutdown(Qube q, boolean force, boolean wait) {
        RunningQube rq = requireStarted(q, "shutdown");
        if (q.powerState() == PowerState.Paused && !force) {
            throw new QubesVMNotRunningError("Domain is paused: '" + q.name() + "'");
        }
        if (!force) {
            List<String> clients = new ArrayList<>();
            for (Qube other : app.qubes()) {
                if (other != q && other.powerState().isStarted() && other.netvm().orElse(null) == q) {
                    clients.add(other.name());
                }
            }
            if (!clients.isEmpty()) {
                throw new QubesVMInUseError("There are other VMs connected to this VM: " + String.join(", ", clients));
            }
        }
        if (q.powerState() == PowerState.Halting) {
            if (wait) {
                awaitStopped(q, rq);
            }
            return;
        }
        app.events().fire(Notice.of(q.name(), "domain-pre-shutdown", "force", force ? "True" : "False"));
        q.setPowerState(PowerState.Halting);
        Duration timeout = Duration.ofSeconds(Math.max(1, q.intProperty("shutdown_timeout")));
        Thread.ofVirtual().name("shutdown-" + q.name()).start(() -> {
            try {
                driver.shutdown(rq, timeout);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "shutdown of " + q.name() + " failed; killing it", e);
                quietly(rq, () -> driver.kill(rq));
            }
            synchronized (app.lock()) {
                stopped(q, rq);
                app.lock().notifyAll();
            }
        });
        if (wait) {
            awaitStopped(q, rq);
        }
    }

    /** Waits holding the lock's monitor, which {@code wait} releases, until {@code rq} is gone. */
    private void awaitStopped(Qube q, RunningQube rq) {
        try {
            while (running.get(q.name()) == rq) {
                app.lock().wait(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesException("interrupted while waiting for " + q.name());
        }
    }

    @Override
    public void kill(Qube q) {
        RunningQube rq = requireStarted(q, "kill");
        driver.kill(rq);
        stopped(q, rq);
    }

    @Override
    public void pause(Qube q) {
        RunningQube rq = running.get(q.name());
        if (rq == null || q.powerState() != PowerState.Running) {
            throw new QubesVMNotRunningError("Domain is powered off: '" + q.name() + "'");
        }
        app.events().fire(Notice.of(q.name(), "domain-pre-paused"));
        driver.pause(rq);
        q.setPowerState(PowerState.Paused);
        app.events().fire(Notice.of(q.name(), "domain-paused"));
    }

    @Override
    public void unpause(Qube q) {
        RunningQube rq = running.get(q.name());
        if (rq == null || q.powerState() != PowerState.Paused) {
            throw new QubesVMNotPausedError("Domain is not paused: '" + q.name() + "'");
        }
        app.events().fire(Notice.of(q.name(), "domain-pre-unpaused"));
        driver.unpause(rq);
        q.setPowerState(PowerState.Running);
        app.events().fire(Notice.of(q.name(), "domain-unpaused"));
    }

    @Override
    public String currentState(Qube q) {
        RunningQube rq = running.get(q.name());
        long mem = 0;
        long max = 0;
        long cpu = 0;
        if (rq != null) {
            Optional<QubeStats> s = stats(rq);
            mem = s.map(QubeStats::memoryBytes).orElse(0L) / 1024;
            cpu = s.map(QubeStats::cpuNanos).orElse(0L);
            max = rq.spec().memoryLimitBytes() / 1024;
        }
        return "mem=" + mem + " mem_static_max=" + max + " cputime=" + cpu + " power_state=" + q.powerState().name();
    }

    @Override
    public String createDisposable(Qube dvm, Qube caller) {
        // A qube that is no disposable template has no preloads; create refuses it as qubesd does.
        return preloads.take(dvm, caller).orElseGet(() -> Disposables.create(app, dvm, caller));
    }

    /** A removed qube's volumes go with it, so a new qube of that name starts empty. */
    @Override
    public void removed(Qube q) {
        try {
            storage.remove(q);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing the files of " + q.name() + " failed", e);
        }
    }

    private Optional<QubeStats> stats(RunningQube rq) {
        try {
            return Optional.of(driver.stats(rq));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private RunningQube requireStarted(Qube q, String what) {
        if (q.klass() == QubeClass.ADMIN_VM) {
            throw new QubesVMError("Cannot " + what + " Dom0 fake domain!");
        }
        RunningQube rq = running.get(q.name());
        if (rq == null || !q.powerState().isStarted()) {
            throw new QubesVMNotStartedError("Domain is powered off: '" + q.name() + "'");
        }
        return rq;
    }

    /**
     * The qube's processes are gone (shutdown, kill or death): storage stopped, Halted,
     * {@code domain-stopped} then {@code domain-shutdown}, and an auto_cleanup disposable
     * removed. Idempotent per handle. Runs holding the lock.
     */
    void stopped(Qube q, RunningQube rq) {
        if (!running.remove(q.name(), rq)) {
            return;
        }
        qdbs.remove(q.name());
        quietly(null, () -> network.stopped(q));
        quietly(null, () -> storage.release(q));
        q.setPowerState(PowerState.Halted);
        quietly(rq, () -> stopHook.accept(q.name()));
        app.events().fire(Notice.of(q.name(), "domain-stopped"));
        for (String p : List.of("xid", "stubdom_xid", "start_time")) {
            app.events().fire(new PropertyReset(q.name(), p, null));
        }
        app.events().fire(Notice.of(q.name(), "domain-shutdown"));
        if (autoCleanup(q)) {
            removeDisposable(q);
        }
    }

    /** Called by the watcher when a qube's processes died by themselves. */
    void died(String name, RunningQube rq) {
        if (closed) {
            return; // a later daemon takes the qube back
        }
        synchronized (app.lock()) {
            Optional<Qube> q = app.find(name);
            // A qube being shut down is finished by its shutdown thread.
            if (running.get(name) != rq || q.isEmpty() || q.get().powerState() == PowerState.Halting) {
                return;
            }
            LOG.info("qube " + name + " stopped by itself");
            quietly(rq, () -> driver.kill(rq)); // cleans up the driver's leftovers
            stopped(q.get(), rq);
            app.lock().notifyAll();
        }
    }

    /** For tests: without the safety poll, only the driver's onStop reports a death. */
    void stopSafetyPoll() {
        watcher.close();
    }

    Map<String, RunningQube> running() {
        return running;
    }

    private void cleanupDead(Qube q) {
        quietly(null, () -> storage.release(q));
        quietly(null, () -> stopHook.accept(q.name()));
        q.setPowerState(PowerState.Halted);
    }

    private static boolean autoCleanup(Qube q) {
        return q.klass() == QubeClass.DISP_VM && q.boolProperty("auto_cleanup");
    }

    /** Removes a halted disposable: its storage, runtime directory and qubes.xml entry. */
    void removeDisposable(Qube q) {
        try {
            storage.remove(q);
            Disposables.deleteRuntime(runtimeDir(q));
            app.remove(q);
            save.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing disposable " + q.name() + " failed", e);
        }
    }

    Path runtimeDir(Qube q) {
        return runDir.resolve(q.name());
    }

    private static long baseUid(Qube q) {
        return QubeSpec.UID_BASE + QubeSpec.UID_RANGE * q.qid();
    }

    /** The driver's sandbox: uid range from the qid, limits from memory/maxmem/vcpus. */
    private SandboxSpec sandbox(Qube q, Optional<Path> netns) {
        Path rt = runtimeDir(q);
        try {
            Files.createDirectories(rt);
            // The driver's files below must be reachable by the qube's base uid.
            Files.setPosixFilePermissions(rt, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new QubesException("Start failed: runtime directory " + rt + ": " + e.getMessage());
        }
        int memory = (int) Math.max(1, q.intProperty("memory"));
        int maxmem = (int) q.intProperty("maxmem");
        if (maxmem != 0 && maxmem < memory) {
            maxmem = memory;
        }
        int vcpus = (int) Math.max(1, Math.min(1024, q.intProperty("vcpus")));
        return new SandboxSpec(q.name(), q.qid(), memory, maxmem, vcpus, 4096, rt, netns);
    }

    /** The driver's whole spec on the prepared storage, with qrexec's binds (the spec hook). */
    private QubeSpec spec(Qube q, SandboxSpec sandbox, QubeStorage.Prepared p) {
        String host = q.name().replace('.', '-').replace('_', '-');
        return specHook.apply(new QubeSpec(sandbox, p.rootfs(), p.root(), p.privateDir(), host, List.of()));
    }

    /** The same without network (a qube taken back: its netns is found through its pid 1). */
    private QubeSpec spec(Qube q, QubeStorage.Prepared p) {
        return spec(q, sandbox(q, Optional.empty()), p);
    }

    private static void quietly(RunningQube rq, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cleanup step failed" + (rq == null ? "" : " for " + rq.name()), e);
        }
    }

    /** Stops the death watcher; running qubes keep running (a later daemon takes them back). */
    @Override
    public void close() {
        closed = true;
        preloads.close();
        watcher.close();
        network.close();
    }
}
