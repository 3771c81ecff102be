package org.qubicle.daemon.lifecycle;

import static org.qubicle.daemon.lifecycle.PreloadFeatures.COMPLETED;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.DELAY;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.IN_PROGRESS;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.MAX;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.THRESHOLD;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.delay;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.list;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.max;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.parseDelay;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.setList;
import static org.qubicle.daemon.lifecycle.PreloadFeatures.threshold;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.model.HostInfo;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.DomainPreDelete;
import org.qubicle.model.event.FeaturePreSet;
import org.qubicle.model.event.FeatureDeleted;
import org.qubicle.model.event.FeatureSet;
import org.qubicle.model.event.Notice;
import org.qubicle.model.event.PropertyPreReset;
import org.qubicle.model.event.PropertyPreSet;
import org.qubicle.model.event.PropertySet;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMInUseError;
import org.qubicle.model.exc.QubesValueError;

/**
 * Preloaded disposables, as Qubes 4.3 has them. The feature {@code preload-dispvm-max} on a
 * disposable template (on dom0 for the global {@code default_dispvm}, which then ignores its
 * own) asks for that many unnamed disposables started ahead and paused. A request for a
 * disposable of that template takes one: it leaves the template's {@code preload-dispvm}
 * list, is unpaused and tagged for its caller, and another is preloaded behind it.
 *
 * <p>Stages are features, named as upstream names them: a preload has {@code internal} and
 * {@code preload-dispvm-in-progress} while it starts, then {@code preload-dispvm-completed}
 * once paused. A preload never serves a template that changed after it started: when the
 * disposable template or its template shuts down (a new root or private is committed) or a
 * property of the disposable template changes, its preloads are replaced.
 *
 * <p>A used preload is replaced after {@code preload-dispvm-delay} seconds (the template's
 * feature, else dom0's; 3 by default, as upstream), so the refill does not compete with the
 * request that took it. The preload's execs are readied before it is paused: its first exec
 * takes the qube's forker, not the host chain.
 *
 * <p>One worker thread does all preloading, one qube at a time, so a burst of requests
 * never starts more than one qube in the background. Every change runs holding the
 * system's lock, as the rest of the lifecycle does.
 */
final class Preloads implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Preloads.class.getName());
    /** After a failed preload, that template waits this long before the next try. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Qubes app;
    private final LifecycleService life;
    private final Runnable save;
    private final Semaphore wake = new Semaphore(0);
    /** Disposable templates whose preloads are to be replaced. */
    private final Set<String> outdated = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Long> failedAt = new ConcurrentHashMap<>();
    /** Per disposable template, when its next preload may start (after a use: the delay). */
    private final java.util.Map<String, Long> notBefore = new ConcurrentHashMap<>();
    /** Disposable templates held back by preload-dispvm-threshold (logged once). */
    private final Set<String> lowMemory = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Thread worker;

    Preloads(Qubes app, LifecycleService life, Runnable save) {
        this.app = app;
        this.life = life;
        this.save = save;
        app.events().on(FeaturePreSet.class, e -> {
            if (e.feature().equals(MAX) && !e.value().matches("[0-9]{1,4}")) {
                throw new QubesValueError("Invalid preload-dispvm-max value: not a digit");
            }
            if (e.feature().equals(DELAY) && parseDelay(e.value()).isEmpty()) {
                throw new QubesValueError("Invalid preload-dispvm-delay value: not an integer or float");
            }
            if (e.feature().equals(THRESHOLD) && e.subject().equals(app.adminVm().name())
                    && !e.value().isEmpty() && !e.value().matches("[0-9]{1,9}")) {
                throw new QubesValueError("Invalid preload-dispvm-threshold value: not a digit");
            }
        });
        app.events().on(FeatureSet.class, e -> {
            if (e.feature().equals(MAX) || e.feature().equals(DELAY) || e.feature().equals(THRESHOLD)) {
                wake();
            }
        });
        app.events().on(FeatureDeleted.class, e -> {
            if (e.feature().equals(MAX) || e.feature().equals(THRESHOLD)) {
                wake();
            }
        });
        app.events().on(Notice.class, e -> {
            if (e.wireName().equals("domain-shutdown")) {
                changed(e.subject());
            }
        });
        // A property of a disposable template (its netvm, memory, template_for_dispvms itself)
        // or a global one (default_dispvm moves dom0's count) changed. Other qubes' do not wake
        // the worker.
        app.events().on(PropertySet.class, e -> {
            changed(e.subject());
            boolean global = e.subject().isEmpty() || e.subject().equals(app.adminVm().name());
            if (global || app.find(e.subject()).filter(q -> q.klass().canBeDispvmTemplate()).isPresent()) {
                wake();
            }
        });

        // As upstream, a qube that stops being a disposable template, or goes, takes its
        // preloads with it (the model has refused already if anything else uses it).
        app.events().on(PropertyPreSet.class, e -> {
            if (e.name().equals("template_for_dispvms") && e.newValue().equals("False")) {
                app.find(e.subject()).ifPresent(dvm -> removeAllOrRefuse(dvm, "template_for_dispvms was set to False"));
            }
        });
        app.events().on(PropertyPreReset.class, e -> {
            if (e.name().equals("template_for_dispvms")) {
                app.find(e.subject()).ifPresent(dvm -> removeAllOrRefuse(dvm, "template_for_dispvms was reset"));
            }
        });
        app.events().on(DomainPreDelete.class,
                e -> app.find(e.vm()).ifPresent(dvm -> removeAllOrRefuse(dvm, "its disposable template is being removed")));
    }

    /** Removes every preload of {@code dvm}; refuses the change, naming them, if any is still there. */
    private void removeAllOrRefuse(Qube dvm, String why) {
        List<String> names = list(dvm);
        removeAllOf(dvm, why);
        List<String> left = names.stream().filter(n -> app.find(n).isPresent()).toList();
        if (!left.isEmpty()) {
            throw new QubesVMInUseError("Domain is in use: '" + dvm.name() + "'; its preloaded disposables "
                    + String.join(", ", left) + " could not be removed");
        }
    }

    /** Starts the worker; preloads left unfinished by an earlier daemon are removed first. */
    void start() {
        synchronized (app.lock()) {
            for (Qube q : List.copyOf(app.qubes())) {
                if (q.isPreload() && !(q.features().isTrue(COMPLETED) && q.powerState() == PowerState.Paused)) {
                    discard(q, "left unfinished by an earlier run");
                }
            }
        }
        worker = Thread.ofPlatform().daemon().name("preload-dispvm").start(this::work);
        wake();
    }

    /**
     * Takes a completed preload of {@code dvm} for {@code caller}: unpaused, out of the list,
     * tagged as a disposable the caller created. Holding the lock.
     */
    Optional<String> take(Qube dvm, Qube caller) {
        for (String name : list(dvm)) {
            Optional<Qube> q = app.find(name);
            if (q.isEmpty() || !q.get().features().isTrue(COMPLETED) || q.get().powerState() != PowerState.Paused) {
                continue;
            }
            Qube d = q.get();
            setList(dvm, list(dvm).stream().filter(n -> !n.equals(name)).toList());
            try {
                life.unpause(d);
            } catch (QubesException e) {
                discard(d, "it could not be unpaused: " + e.getMessage());
                continue;
            }
            d.features().remove(IN_PROGRESS);
            d.features().remove("internal");
            d.tags().add("created-by-" + caller.name());
            d.tags().add("disp-created-by-" + caller.name());
            save.run();
            LOG.info("preloaded " + name + " used by " + caller.name());
            double delay = delay(app, dvm);
            notBefore.put(dvm.name(), System.nanoTime() + (long) (Math.max(0, delay) * 1e9));
            wake();
            return Optional.of(name);
        }
        return Optional.empty();
    }

    private void wake() {
        wake.release();
    }

    /** A qube changed: preloads of disposable templates built on it are outdated. */
    private void changed(String name) {
        for (Qube dvm : app.qubes()) {
            boolean affected = dvm.name().equals(name) || dvm.template().map(t -> t.name().equals(name)).orElse(false);
            if (affected && !list(dvm).isEmpty()) {
                outdated.add(dvm.name());
                wake();
            }
        }
    }

    private void work() {
        while (!closed) {
            try {
                boolean more = step();
                if (!more && wake.tryAcquire(nextWakeMillis(), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits(); // one look serves every event so far
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "preloading disposables", e);
                try {
                    Thread.sleep(1000); // not a hot loop on a lasting fault
                } catch (InterruptedException again) {
                    return;
                }
            }
        }
    }

    /** Brings one disposable template closer to its preload count; true if there is more to do. */
    private boolean step() {
        String starting;
        synchronized (app.lock()) {
            if (closed) {
                return false;
            }
            for (String name : List.copyOf(outdated)) {
                outdated.remove(name);
                app.find(name).ifPresent(dvm -> {
                    LOG.info("replacing the preloaded disposables of " + name + ": it changed");
                    removeAllOf(dvm, "its disposable template changed");
                });
            }
            starting = null;
            for (Qube dvm : List.copyOf(app.qubes())) {
                if (list(dvm).isEmpty() && !Disposables.isTemplate(dvm)) {
                    continue;
                }
                List<String> have = list(dvm).stream()
                        .filter(n -> app.find(n).filter(Qube::isPreload).isPresent()).toList();
                if (!have.equals(list(dvm))) {
                    setList(dvm, have);
                }
                int max = Disposables.isTemplate(dvm) ? max(app, dvm) : 0;
                for (String extra : have.subList(Math.min(max, have.size()), have.size())) {
                    app.find(extra).ifPresent(q -> discard(q, "more than " + MAX + " (" + max + ")"));
                }
                Long failed = failedAt.get(dvm.name());
                long now = System.nanoTime();
                boolean waiting = notBefore.getOrDefault(dvm.name(), now) - now > 0
                        || (delay(app, dvm) < 0 && !have.isEmpty()); // negative: refill once all are used
                if (have.size() < max && !waiting && (failed == null || now - failed > RETRY_NANOS)
                        && memoryAllows(dvm)) {
                    starting = create(dvm);
                    break;
                }
            }
            if (starting == null) {
                return false;
            }
        }
        finish(starting);
        return true;
    }

    /**
     * Upstream's {@code preload-dispvm-threshold} (dom0's feature, MiB): one more preload only
     * while the host's available memory, less the threshold, holds the template's
     * {@code memory}. Logged once per template until memory allows again.
     */
    private boolean memoryAllows(Qube dvm) {
        long need = dvm.intProperty("memory") << 20;
        // No MemAvailable (not Linux): as upstream without its memory file, no limit.
        long spare = HostInfo.meminfoBytes("MemAvailable").orElse(Long.MAX_VALUE) - (threshold(app) << 20);
        boolean allows = spare >= need;
        if (!allows && lowMemory.add(dvm.name())) {
            LOG.warning("not preloading a disposable of " + dvm.name() + " due to insufficient memory: "
                    + (spare >> 20) + " MiB spare above " + THRESHOLD + ", " + (need >> 20) + " MiB needed");
        } else if (allows) {
            lowMemory.remove(dvm.name());
        }
        return allows;
    }

    private String create(Qube dvm) {
        String name = Disposables.create(app, dvm, app.adminVm());
        Qube q = app.qube(name);
        // A preload was created by no one yet: the tags go to whoever takes it.
        q.tags().remove("created-by-" + app.adminVm().name());
        q.tags().remove("disp-created-by-" + app.adminVm().name());
        q.features().set("internal", "1");
        q.features().set(IN_PROGRESS, "1");
        List<String> l = new ArrayList<>(list(dvm));
        l.add(name);
        setList(dvm, l);
        save.run();
        return name;
    }

    /**
     * Starts a new preload, readies its execs (without the lock: other calls go on), then
     * pauses it. A failure removes it and holds its template back a while.
     */
    private void finish(String name) {
        String dvmName = null;
        try {
            long t0 = System.nanoTime();
            org.qubicle.driver.RunningQube rq;
            synchronized (app.lock()) {
                Optional<Qube> q = app.find(name);
                if (q.isEmpty() || closed) {
                    return;
                }
                dvmName = q.get().template().map(Qube::name).orElse(null);
                life.start(q.get());
                rq = life.handle(name).orElseThrow(() -> new QubesException("preload " + name + " did not start"));
            }
            life.driver().prepareExec(rq, java.time.Duration.ofSeconds(5));
            synchronized (app.lock()) {
                Optional<Qube> q = app.find(name);
                if (q.isEmpty() || q.get().powerState() != PowerState.Running
                        || !list(q.get().template().orElseThrow()).contains(name)) {
                    return; // taken, replaced or removed meanwhile
                }
                life.pause(q.get());
                q.get().features().set(COMPLETED, "1");
                save.run();
                LOG.info(String.format("preloaded %s in %.1f ms", name, (System.nanoTime() - t0) / 1e6));
            }
        } catch (RuntimeException e) {
            // Whatever failed, the preload goes: one left half-started would hold its place.
            LOG.warning("preloading " + name + " failed: " + e);
            if (dvmName != null) {
                failedAt.put(dvmName, System.nanoTime());
            }
            synchronized (app.lock()) {
                app.find(name).ifPresent(q -> discard(q, "its start failed"));
            }
        }
    }

    private void removeAllOf(Qube dvm, String why) {
        for (String name : list(dvm)) {
            app.find(name).ifPresent(q -> discard(q, why));
        }
        setList(dvm, List.of());
    }

    /** Removes a preload: killed if running (auto_cleanup then removes it), else removed. */
    private void discard(Qube q, String why) {
        LOG.info("removing preloaded " + q.name() + ": " + why);
        q.template().ifPresent(dvm -> setList(dvm, list(dvm).stream().filter(n -> !n.equals(q.name())).toList()));
        try {
            if (q.powerState() != PowerState.Halted) {
                life.kill(q); // auto_cleanup removes it
            } else {
                life.removeDisposable(q);
            }
        } catch (QubesException e) {
            LOG.warning("removing preloaded " + q.name() + " failed: " + e.getMessage());
        }
    }

    private long nextWakeMillis() {
        long now = System.nanoTime();
        long next = 5000;
        for (long t : notBefore.values()) {
            if (t - now > 0) {
                next = Math.min(next, (t - now) / 1_000_000 + 1);
            }
        }
        return next;
    }

    @Override
    public void close() {
        closed = true;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
