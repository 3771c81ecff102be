package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * One running qube's agent socket, {@code RUNTIME/qrexec/agent.sock}, bound read-only into the
 * qube at {@code /run/qubicle-qrexec/agent.sock}. Every connection on it is a call <em>from this
 * qube</em>: the caller's identity is this listener's qube, never anything it says. As a second
 * check the peer's host uid (SO_PEERCRED) must lie in the qube's uid range; anything else
 * (another qube, a host user) is dropped. At most {@link #MAX_CALLS} calls run at once per qube.
 */
final class AgentListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AgentListener.class.getName());
    static final int MAX_CALLS = 64;

    private final String qube;
    private final long baseUid;
    private final Path socket;
    private final ServerSocketChannel server;
    private final CallHandler handler;
    private final Semaphore slots = new Semaphore(MAX_CALLS);
    private final Thread acceptor;

    private AgentListener(String qube, long baseUid, Path socket, ServerSocketChannel server, CallHandler handler) {
        this.qube = qube;
        this.baseUid = baseUid;
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofVirtual().name("qrexec-agent-" + qube).start(this::accept);
    }

    /**
     * Binds {@code dir/agent.sock}. {@code dir} is made by root, mode 0755, so nothing inside a
     * qube can place files there; the socket is 0666 so that root and the user in the qube can
     * connect (the uid check narrows it again).
     */
    static AgentListener open(String qube, long baseUid, Path dir, CallHandler handler) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = dir.resolve("agent.sock");
        Files.deleteIfExists(socket);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(socket), 256);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new AgentListener(qube, baseUid, socket, s, handler);
    }

    String qube() {
        return qube;
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (!fromQube(ch)) {
                closeQuietly(ch);
                continue;
            }
            if (!slots.tryAcquire()) {
                Thread.ofVirtual().start(() -> {
                    handler.refuseBusy(ch, qube);
                    closeQuietly(ch);
                });
                continue;
            }
            Thread.ofVirtual().name("qrexec-call-" + qube).start(() -> {
                try {
                    handler.handle(ch, qube);
                } finally {
                    slots.release();
                    closeQuietly(ch);
                }
            });
        }
    }

    /** SO_PEERCRED: the peer's host uid is one of the qube's 65,536. */
    private boolean fromQube(SocketChannel ch) {
        try {
            UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            long uid = Uids.of(p.user().getName());
            if (uid >= baseUid && uid < baseUid + org.qubicle.driver.QubeSpec.UID_RANGE) {
                return true;
            }
            LOG.warning("qrexec: dropped a connection on " + qube + "'s socket from host uid " + uid);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "qrexec: cannot identify a peer on " + qube + "'s socket", e);
        }
        return false;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // gone
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5000);
            Files.deleteIfExists(socket);
        } catch (IOException | InterruptedException e) {
            LOG.log(Level.FINE, "closing " + qube + "'s qrexec socket", e);
        }
    }
}
