package org.qubicle.daemon;

import java.io.IOException;
import org.qubicle.api.handlers.FirewallHandlers;
import org.qubicle.api.handlers.LifecycleHandlers;
import org.qubicle.api.handlers.VolumeDataHandlers;
import org.qubicle.daemon.storage.PoolStorage;
import org.qubicle.daemon.storage.VolumeData;
import org.qubicle.daemon.net.NetConfigFile;
import org.qubicle.daemon.net.NetworkService;
import org.qubicle.daemon.net.QubeNetwork;
import org.qubicle.daemon.lifecycle.ExecServer;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.daemon.lifecycle.Lifecycles;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.AdminApi;
import org.qubicle.api.policy.PolicyServices;
import org.qubicle.model.Qubes;
import org.qubicle.model.HostInfo;
import org.qubicle.store.QubesStore;

/**
 * One running daemon on one root: the lock, the loaded system, the API and its socket.
 * {@link Qubesd} runs one until SIGTERM; tests run several side by side in one JVM.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final QubesPaths paths;
    private final DaemonLock lock;
    private final AdminApi api;
    private final SocketServer server;
    private final Thread acceptor;
    private final LifecycleService lifecycle;
    private ExecServer exec;
    private VolumeData volumeData;
    private PolicyServices policy;
    private org.qubicle.daemon.qrexec.Qrexec qrexec;
    private PoolStorage poolStorage;
    private boolean closed;

    private Daemon(QubesPaths paths, DaemonLock lock, AdminApi api, SocketServer server, LifecycleService lifecycle) {
        this.paths = paths;
        this.lock = lock;
        this.api = api;
        this.server = server;
        this.lifecycle = lifecycle;
        this.acceptor = Thread.ofPlatform().name("qubesd-accept").daemon(false).unstarted(() -> server.serve(api));
    }

    /**
     * Locks the root, loads or creates the system, binds the socket and starts accepting.
     *
     * @throws IllegalStateException if another daemon holds the root or its socket is live
     */
    public static Daemon start(QubesPaths paths) throws IOException {
        return start(paths, null);
    }

    /**
     * As {@link #start(QubesPaths)} with the given driver and storage; {@code null} probes
     * for them. Qubes still running from an earlier daemon are taken back before serving.
     */
    public static Daemon start(QubesPaths paths, Lifecycles lifecycles) throws IOException {
        DaemonLock lock = DaemonLock.acquire(paths.lockFile());
        try {
            QubesStore store = new QubesStore(paths.root());
            Qubes app = store.loadOrCreate(HostInfo.probe());
            Lifecycles lc = lifecycles != null ? lifecycles : Lifecycles.probe(paths.varLibQubes(), paths.runDir());
            LifecycleService life = new LifecycleService(app, lc.driver(), lc.storage(),
                    paths.runDir().resolve("qubes"), () -> {
                        try {
                            store.save(app);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            // The real network only with a probed driver: a handed-in (fake) one runs no processes.
            QubeNetwork net = lifecycles != null ? QubeNetwork.NONE
                    : NetworkService.probe(app, life, NetConfigFile.read(paths.root(), paths.etcQubes()));
            life.setNetwork(net);
            org.qubicle.api.MethodTable table = FirewallHandlers.withHook(LifecycleHandlers.table(life),
                    NetworkService.firewallHook(net));
            VolumeData volumeData = null;
            if (lc.storage() instanceof PoolStorage ps) {
                table = VolumeDataHandlers.table(table, ps.apiBackend());
                volumeData = ps.volumeData();
            }
            table = org.qubicle.api.handlers.BackupHandlers.table(table, org.qubicle.daemon.backup.DaemonBackups
                    .create(app, paths, life, volumeData != null ? volumeData : lc.storage()));
            boolean freshPolicy = PolicyServices.isFresh(paths.root()); // before qrexec writes its defaults
            var qrexec = org.qubicle.daemon.qrexec.Qrexec.install(app, life, paths.root());
            life.reattachAll();
            PolicyServices policy = PolicyServices.open(app, paths.root(), table, freshPolicy);
            AdminApi api = new AdminApi(app, policy.table(table), () -> store.save(app), policy.adminPolicy());
            qrexec.setAdminApi(api);
            qrexec.setAskAgent(policy::ask);
            SocketServer server = SocketServer.bind(paths.adminSocket());
            Daemon d = new Daemon(paths, lock, api, server, life);
            d.volumeData = volumeData;
            d.policy = policy;
            d.qrexec = qrexec;
            d.poolStorage = lc.storage() instanceof PoolStorage ps ? ps : null;
            d.exec = ExecServer.bind(app, life, paths.runDir().resolve("qubes/qrexec.sock"));
            d.acceptor.start();
            return d;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The lifecycle service (for exec and tests). */
    public LifecycleService lifecycle() {
        return lifecycle;
    }

    /** Raw volume images for daemon-side code (backup); only with pool storage. */
    public VolumeData volumeData() {
        if (volumeData == null) {
            throw new org.qubicle.model.exc.QubesNotImplementedError("this daemon's storage has no volume images");
        }
        return volumeData;
    }

    /** The loaded system (for daemon-side code such as backup; hold its lock to touch it). */
    public Qubes app() {
        return api.app();
    }

    /** The qrexec policy: engine, system view, ask agent (for the qrexec call path). */
    public PolicyServices policy() {
        return policy;
    }

    /** qube-to-qube calls (to set the ask agent). */
    public org.qubicle.daemon.qrexec.Qrexec qrexec() {
        return qrexec;
    }

    public QubesPaths paths() {
        return paths;
    }

    /** Waits until the daemon has stopped accepting. */
    public void awaitTermination() throws InterruptedException {
        acceptor.join();
    }

    /**
     * Stops: no new connections, open ones (streams included) ended, socket removed, lock
     * released. Waits for a write call that is saving to finish first.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (api.app().lock()) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing the socket failed", e);
            }
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exec != null) {
            exec.close();
        }
        if (qrexec != null) {
            qrexec.close();
        }
        lifecycle.close();
        if (poolStorage != null) {
            poolStorage.close();
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the root lock failed", e);
        }
    }
}
