package org.qubicle.daemon;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.AdminApi;
import org.qubicle.api.AdminPolicy;
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
    private boolean closed;

    private Daemon(QubesPaths paths, DaemonLock lock, AdminApi api, SocketServer server) {
        this.paths = paths;
        this.lock = lock;
        this.api = api;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("qubesd-accept").daemon(false).unstarted(() -> server.serve(api));
    }

    /**
     * Locks the root, loads or creates the system, binds the socket and starts accepting.
     *
     * @throws IllegalStateException if another daemon holds the root or its socket is live
     */
    public static Daemon start(QubesPaths paths) throws IOException {
        DaemonLock lock = DaemonLock.acquire(paths.lockFile());
        try {
            QubesStore store = new QubesStore(paths.root());
            Qubes app = store.loadOrCreate(HostInfo.probe());
            AdminApi api = AdminApi.standard(app, () -> store.save(app), AdminPolicy.ALLOW_ALL);
            SocketServer server = SocketServer.bind(paths.adminSocket());
            Daemon d = new Daemon(paths, lock, api, server);
            d.acceptor.start();
            return d;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
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
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the root lock failed", e);
        }
    }
}
