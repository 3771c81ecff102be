package org.qubicle.daemon.qrexec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;
import org.qubicle.policy.Decision;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;
import org.qubicle.qrexec.AskAgent;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.DirectInput;
import org.qubicle.qrexec.wire.Frames;

/**
 * One qrexec call from a qube, in the order of issue 4: header check, policy, ask, then
 * {@code @dispvm} (a fresh disposable, killed when the call ends), autostart, user, and the
 * service started in the target within {@code qrexec_timeout}; then the streams until the exit
 * code. A caller that goes away kills the service.
 */
final class CallHandler {
    private static final Logger LOG = Logger.getLogger(CallHandler.class.getName());
    /** How long a caller may take to send its header. */
    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

    private final Qubes app;
    private final LifecycleService life;
    private final PolicyEngine engine;
    private final Dom0Services dom0;
    private volatile AskAgent askAgent;

    CallHandler(Qubes app, LifecycleService life, PolicyEngine engine, Dom0Services dom0) {
        this.app = app;
        this.life = life;
        this.engine = engine;
        this.dom0 = dom0;
    }

    void setAskAgent(AskAgent agent) {
        this.askAgent = agent;
    }

    void refuseBusy(SocketChannel ch, String source) {
        LOG.warning("qrexec: too many calls from " + source + "; refused one");
        try {
            Frames.writeText(Channels.newOutputStream(ch), Frames.REFUSED, "too many calls in progress");
        } catch (IOException e) {
            // gone
        }
    }

    void handle(SocketChannel ch, String source) {
        long t0 = System.nanoTime();
        DirectInput in = new DirectInput(ch, Frames.MAX + 5);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), Frames.MAX + 5);
        CallHeader h;
        Thread timer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(HEADER_TIMEOUT);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // header arrived in time
            }
        });
        try {
            h = CallHeader.parse(CallHeader.readLine(in));
        } catch (IOException | IllegalArgumentException e) {
            LOG.info("qrexec: bad request from " + source + ": " + e.getMessage());
            refuse(out, "malformed request");
            drainBriefly(ch, in);
            return;
        } finally {
            timer.interrupt();
        }
        try {
            Outcome o = call(source, h, in, out);
            LOG.info(String.format("qrexec %s -> %s %s: %s after %.1f ms", source, h.target(), h.serviceAndArg(),
                    o.text, (System.nanoTime() - t0) / 1e6));
        } catch (IOException e) {
            LOG.log(Level.FINE, "qrexec call from " + source + " ended", e);
        }
    }

    /**
     * Closing a unix socket with unread input resets the peer, which would lose the refusal:
     * so read (and drop) what the caller still sends, at most 1 MiB and one second.
     */
    private static void drainBriefly(SocketChannel ch, InputStream in) {
        try {
            ch.shutdownOutput();
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(1000);
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // done draining
                }
            });
            in.skipNBytes(0);
            long left = 1 << 20;
            byte[] b = new byte[8192];
            for (int n = in.read(b); n > 0 && left > 0; n = in.read(b)) {
                left -= n;
            }
            closer.interrupt();
        } catch (IOException e) {
            // gone
        }
    }

    private record Outcome(String text) {
    }

    private Outcome call(String source, CallHeader h, DirectInput in, OutputStream out) throws IOException {
        Request req = Request.of(source, h.target(), h.serviceAndArg());
        SystemInfo info;
        synchronized (app.lock()) {
            info = ModelSystemInfo.of(app);
        }
        Decision d = engine.evaluate(info, req);
        if (d instanceof Decision.AskUser a) {
            d = ask(info, req, a);
        }
        Decision.Allowed allowed;
        switch (d) {
            case Decision.Allowed a -> allowed = a;
            case Decision.Denied x -> {
                notifyUser(x.notifyUser(), "denied " + source + " -> " + h.target() + " " + h.serviceAndArg()
                        + " (" + x.detail() + ")");
                refuse(out, "denied by policy");
                return new Outcome("denied: " + x.detail());
            }
            case Decision.Failed f -> {
                LOG.warning("qrexec: policy failure for " + source + " " + h.serviceAndArg() + ": " + f.detail());
                refuse(out, "denied by policy");
                return new Outcome("denied: " + f.detail());
            }
            case Decision.AskUser a -> throw new IllegalStateException("ask left unanswered");
        }
        if (allowed.notifyUser()) {
            notifyUser(true, "allowed " + source + " -> " + allowed.target() + " " + h.serviceAndArg());
        }
        return run(source, h, allowed, in, out);
    }

    private Decision ask(SystemInfo info, Request req, Decision.AskUser a) {
        AskAgent agent = askAgent;
        if (agent == null) {
            notifyUser(true, "ask for " + req.source() + " " + req.service() + req.argument()
                    + " with no prompt agent: denied");
            return new Decision.Denied(true, Decision.DenyReason.NOT_A_CHOICE, a.rule(), "no ask agent");
        }
        Optional<String> pick;
        try {
            pick = agent.ask(req.source(), req.service(), req.argument(), a.targets(), a.defaultTarget());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "qrexec: the ask agent failed", e);
            pick = Optional.empty();
        }
        if (pick.isEmpty()) {
            return new Decision.Denied(true, Decision.DenyReason.NOT_A_CHOICE, a.rule(), "refused by the user");
        }
        return engine.policy().confirmAsk(info, req, a, pick.get());
    }

    /** Runs an allowed call; the target is a qube name, uuid:, dom0 or @dispvm:NAME. */
    private Outcome run(String source, CallHeader h, Decision.Allowed a, DirectInput in, OutputStream out)
            throws IOException {
        String target = a.target();
        if (target.equals("dom0") || target.equals("uuid:" + SystemInfo.DOM0_UUID)) {
            int code = dom0.call(source, h, a.requestedTarget(), in, out);
            return new Outcome("dom0 service, exit " + code);
        }
        String disposable = null;
        Target t;
        try {
            if (target.startsWith("@dispvm:")) {
                disposable = createDisposable(source, target.substring("@dispvm:".length()));
            }
            t = prepare(disposable != null ? disposable : target, a);
        } catch (QubesException e) {
            if (disposable != null) {
                killDisposable(disposable);
            }
            error(out, e.getMessage());
            return new Outcome("failed: " + e.getMessage());
        }
        try {
            QubeProcess service = SocketServices.open(life.driver(), t.handle, h, source, a.requestedTarget())
                    .orElseGet(() -> life.driver().exec(t.handle, new ExecSpec(t.user, ServiceRunner.command(h),
                            ServiceRunner.env(source, h, a.requestedTarget()))));
            int code = new StreamPump(service, in, out).run();
            if (code >= 0) {
                return new Outcome("in " + t.handle.name() + ", exit " + code);
            }
            return new Outcome("in " + t.handle.name() + ", caller went away; service killed");
        } catch (RuntimeException | IOException e) {
            error(out, "cannot start the service: " + e.getMessage());
            return new Outcome("failed: " + e.getMessage());
        } finally {
            if (disposable != null) {
                killDisposable(disposable);
            }
        }
    }

    private record Target(RunningQube handle, String user) {
    }

    private String createDisposable(String source, String dvmName) {
        synchronized (app.lock()) {
            Qube dvm = app.qube(dvmName);
            Qube caller = app.qube(source);
            return life.createDisposable(dvm, caller);
        }
    }

    /** Resolves, autostarts (bounded by qrexec_timeout) and picks the user. */
    private Target prepare(String name, Decision.Allowed a) {
        Qube q;
        long timeout;
        boolean start;
        synchronized (app.lock()) {
            q = name.startsWith("uuid:") ? byUuid(name.substring(5)) : app.qube(name);
            if (q.klass() == QubeClass.ADMIN_VM) {
                throw new QubesException("cannot run a service in dom0 this way");
            }
            timeout = Math.max(1, q.intProperty("qrexec_timeout"));
            start = !q.powerState().isStarted();
            if (start && !a.autostart()) {
                throw new QubesException("Domain is not running: '" + q.name() + "'");
            }
        }
        if (start) {
            Qube target = q;
            CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
                synchronized (app.lock()) {
                    life.start(target);
                }
            }, r -> Thread.ofVirtual().start(r));
            try {
                f.get(timeout, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new QubesException("qrexec_timeout: " + q.name() + " did not start within " + timeout + " s");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof QubesException qe ? qe
                        : new QubesException("cannot start " + q.name() + ": " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QubesException("interrupted");
            }
        }
        synchronized (app.lock()) {
            RunningQube rq = life.handle(q.name()).orElseThrow(
                    () -> new QubesException("Domain is not running: '" + name + "'"));
            String user = a.user() == null || a.user().isEmpty() || a.user().equals("DEFAULT")
                    ? q.get("default_user").text() : a.user();
            if (!user.equals(ExecSpec.ROOT) && !user.equals(ExecSpec.USER)) {
                throw new QubesException("user " + user + " does not exist in " + q.name());
            }
            return new Target(rq, user);
        }
    }

    private Qube byUuid(String uuid) {
        for (Qube q : app.qubes()) {
            if (q.uuid().toString().equals(uuid)) {
                return q;
            }
        }
        throw new QubesException("no qube with uuid " + uuid);
    }

    private void killDisposable(String name) {
        synchronized (app.lock()) {
            app.find(name).ifPresent(q -> {
                try {
                    if (q.powerState().isStarted()) {
                        life.kill(q);
                    }
                } catch (QubesException e) {
                    LOG.log(Level.FINE, "disposable " + name + " already gone", e);
                }
            });
        }
    }

    /** Qubes notifies through the source's GUI VM; we have none yet, so the log carries it. */
    private static void notifyUser(boolean really, String message) {
        if (really) {
            LOG.warning("qrexec notification: " + message);
        }
    }

    static void refuse(OutputStream out, String why) {
        try {
            synchronized (out) {
                Frames.writeText(out, Frames.REFUSED, why);
            }
        } catch (IOException e) {
            // caller gone
        }
    }

    static void error(OutputStream out, String why) {
        try {
            synchronized (out) {
                Frames.writeText(out, Frames.ERROR, why);
            }
        } catch (IOException e) {
            // caller gone
        }
    }
}
