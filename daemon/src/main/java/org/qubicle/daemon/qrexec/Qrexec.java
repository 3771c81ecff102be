package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.AdminApi;
import org.qubicle.api.ApiMethod;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.driver.QubeSpec;
import org.qubicle.model.Qubes;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.qrexec.AskAgent;

/**
 * The daemon side of qrexec between qubes (issue 4 part 3): one agent socket per running qube,
 * bound into it with the read-only tool runtime, and the call handling behind them. The
 * lifecycle service asks {@link #decorate} for every qube it starts or takes back and tells
 * {@link #stopped} of every stop. See docs/qrexec.md.
 *
 * <pre>{@code
 * Qrexec q = Qrexec.install(app, life, root);   // before life.reattachAll()
 * q.setAskAgent(agent);                         // optional: without one, ask = deny
 * q.setAdminApi(api);                           // admin.* calls from qubes, when the policy allows
 * }</pre>
 */
public final class Qrexec implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Qrexec.class.getName());

    private final Path runDir;
    private final AgentRuntime runtime;
    private final CallHandler handler;
    private final Dom0Services dom0;
    private final Map<String, AgentListener> listeners = new ConcurrentHashMap<>();
    private Thread training;

    private Qrexec(Path runDir, AgentRuntime runtime, CallHandler handler, Dom0Services dom0) {
        this.runDir = runDir;
        this.runtime = runtime;
        this.handler = handler;
        this.dom0 = dom0;
    }

    /**
     * Builds the tool runtime, installs the default policy on a fresh root, and hooks into
     * {@code life}. The policy is read from {@code ROOT/run/qubes/policy.d} then
     * {@code ROOT/etc/qubes/policy.d} and reloaded whenever a file changes.
     *
     */
    public static Qrexec install(Qubes app, LifecycleService life, Path root) throws IOException {
        Path etcPolicy = root.resolve("etc/qubes/policy.d");
        if (DefaultPolicy.installIfFresh(etcPolicy)) {
            LOG.info("installed the default qrexec policy in " + etcPolicy);
        }
        Path runPolicy = root.resolve("run/qubes/policy.d");
        java.nio.file.Files.createDirectories(runPolicy);
        PolicyEngine engine = PolicyEngine.open(List.of(runPolicy, etcPolicy));
        Thread training = null;
        AgentRuntime rt = new AgentRuntime(root.resolve("var/lib/qubes/qubicle-agent"),
                Path.of(System.getProperty("java.home")));
        try {
            rt.build();
            AgentRuntime built = rt;
            training = Thread.ofVirtual().name("qrexec-aot").start(built::trainAot);
        } catch (IOException | RuntimeException e) {
            // Calls still work for qubes with their own tools; the in-qube Java tools do not.
            LOG.log(Level.WARNING, "cannot build the in-qube tool runtime; qubes get only the qrexec socket", e);
            rt = null;
        }
        Dom0Services dom0 = new Dom0Services();
        Qrexec q = new Qrexec(new org.qubicle.daemon.QubesPaths(root).runDir().resolve("qubes"), rt, new CallHandler(app, life, engine, dom0), dom0);
        q.training = training;
        life.setHooks(q::decorate, q::stopped);
        return q;
    }

    /** The admin method names of a table, for {@link #install}. */
    public static List<String> methodNames(AdminApi api) {
        return api.methods().all().stream().map(ApiMethod::name).toList();
    }

    /** Sets the prompt agent for {@code ask}; null means ask is denied (with a notification). */
    public void setAskAgent(AskAgent agent) {
        handler.setAskAgent(agent);
    }

    /** Lets qubes make {@code admin.*} calls to dom0 where the policy allows them. */
    public void setAdminApi(AdminApi api) {
        dom0.setAdminApi(api);
    }

    /** Opens the qube's agent socket and adds the binds; runs before the qube starts or is taken back. */
    QubeSpec decorate(QubeSpec spec) {
        Path dir = runDir.resolve(spec.name()).resolve("qrexec");
        boolean inRoot = false;
        if (runtime != null) {
            try {
                runtime.prepareRoot(spec.rootfs());
                inRoot = true;
            } catch (RuntimeException e) {
                LOG.info("qrexec: the root of " + spec.name() + " cannot take /usr/lib/qubicle ("
                        + e.getCause() + "); its tools go to " + AgentRuntime.FALLBACK);
            }
        }
        try {
            AgentListener old = listeners.remove(spec.name());
            if (old != null) {
                old.close();
            }
            listeners.put(spec.name(), AgentListener.open(spec.name(), spec.baseUid(), dir, handler));
        } catch (IOException e) {
            throw new UncheckedIOException("qrexec socket for " + spec.name(), e);
        }
        return spec.withBinds(runtime != null ? runtime.binds(dir, inRoot)
                : List.of(new QubeSpec.Bind(dir, AgentRuntime.SOCKET_DIR, true)));
    }

    /** Closes a stopped qube's socket. */
    void stopped(String name) {
        AgentListener l = listeners.remove(name);
        if (l != null) {
            l.close();
        }
        try {
            AgentRuntime.deleteTree(runDir.resolve(name).resolve("qrexec"));
        } catch (IOException e) {
            LOG.log(Level.FINE, "removing " + name + "'s qrexec directory", e);
        }
    }

    @Override
    public void close() {
        if (training != null) {
            try {
                training.join(60_000); // its sandbox reads the runtime directory
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (AgentListener l : List.copyOf(listeners.values())) {
            l.close();
        }
        listeners.clear();
    }
}
