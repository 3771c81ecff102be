package org.qubicle.daemon.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMNotRunningError;

/**
 * The exec endpoint ({@code $QUBES_ROOT/var/run/qubes/qrexec.sock}, mode 0600): the minimum
 * of qrexec-client that dom0 tools need to run a command in a qube.
 *
 * <p>Header line (UTF-8, LF-terminated): {@code TARGET USER OPTS COMMAND}. TARGET is a qube
 * name, {@code @dispvm} (dom0's {@code default_dispvm}) or {@code @dispvm:NAME}; USER is
 * {@code root}, {@code user} or {@code DEFAULT} (the qube's {@code default_user}); OPTS is
 * {@code -} or {@code autostart}; COMMAND, the rest of the line, runs as
 * {@code /bin/sh -c COMMAND} inside the qube, within all its confinement. Then frames
 * ({@link ExecFrames}). A disposable target is created, started, used and killed (which
 * removes it): the exit frame comes as soon as the command ends, and the connection closes
 * once the disposable is gone. The server logs the time from header to exit code, and to
 * the disposable's removal.
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecServer.class.getName());

    private final Qubes app;
    private final LifecycleService life;
    private final ServerSocketChannel server;
    private final Path path;
    private final Thread acceptor;

    private ExecServer(Qubes app, LifecycleService life, ServerSocketChannel server, Path path) {
        this.app = app;
        this.life = life;
        this.server = server;
        this.path = path;
        this.acceptor = Thread.ofVirtual().name("qrexec-accept").start(this::accept);
    }

    public static ExecServer bind(Qubes app, LifecycleService life, Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path), 512);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return new ExecServer(app, life, s, path);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().name("qrexec-conn").start(() -> serve(ch));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private record Header(String target, String user, boolean autostart, String command) { }

    private static Header parse(String untrustedLine) {
        String[] p = untrustedLine.split(" ", 4);
        if (p.length != 4 || p[3].isEmpty() || p[3].indexOf('\0') >= 0) {
            throw new QubesException("bad exec header");
        }
        if (!p[2].equals("-") && !p[2].equals("autostart")) {
            throw new QubesException("bad exec options: " + p[2]);
        }
        return new Header(p[0], p[1], p[2].equals("autostart"), p[3]);
    }

    private void serve(SocketChannel ch) {
        long t0 = System.nanoTime();
        try (ch) {
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            Header h;
            try {
                h = parse(ExecFrames.readHeader(in));
            } catch (QubesException e) {
                error(out, e.getMessage());
                return;
            }
            String disp = null;
            long created = 0;
            long started = 0;
            RunningQube rq;
            String user;
            try {
                synchronized (app.lock()) {
                    Qube q;
                    if (h.target().equals("@dispvm") || h.target().startsWith("@dispvm:")) {
                        String dvmName = h.target().equals("@dispvm")
                                ? app.adminVm().get("default_dispvm").text() : h.target().substring(8);
                        Qube dvm = app.find(dvmName).orElseThrow(() -> new QubesException("no disposable template"));
                        disp = life.createDisposable(dvm, app.adminVm());
                        created = System.nanoTime();
                        q = app.qube(disp);
                        life.start(q);
                        started = System.nanoTime();
                    } else {
                        q = app.qube(h.target());
                        if (!q.powerState().isStarted() && h.autostart()) {
                            life.start(q);
                        }
                    }
                    rq = life.handle(q.name()).orElseThrow(
                            () -> new QubesVMNotRunningError("Domain is not running: '" + h.target() + "'"));
                    user = h.user().equals("DEFAULT") ? q.get("default_user").text() : h.user();
                }
            } catch (QubesException e) {
                error(out, e.getMessage());
                return;
            }
            Integer code = null;
            long ran = 0;
            long removed = 0;
            try {
                code = run(rq, user, h.command(), in, out);
                if (code != null) {
                    synchronized (out) {
                        ExecFrames.writeExit(out, code);
                    }
                }
                ran = System.nanoTime();
            } finally {
                if (disp != null) {
                    // As qvm-run --dispvm: the exit code first (upstream's qrexec returns it
                    // before the client kills the disposable), then the removal; the
                    // connection closes only once the disposable is gone, and the client
                    // waits for that end.
                    removeDisposable(disp);
                    removed = System.nanoTime();
                }
            }
            if (code != null) {
                LOG.info(String.format("exec in %s: exit %d after %.1f ms", rq.name(), code, (ran - t0) / 1e6)
                        + (disp == null ? "" : String.format(" (create %.1f, start %.1f, run %.1f ms; removed %.1f ms"
                        + " after the request)", (created - t0) / 1e6, (started - created) / 1e6,
                        (ran - started) / 1e6, (removed - t0) / 1e6)));
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "exec connection ended", e);
        }
    }

    /** Kills a disposable this connection made, which removes it (auto_cleanup). */
    private void removeDisposable(String name) {
        synchronized (app.lock()) {
            app.find(name).ifPresent(q -> {
                try {
                    life.kill(q);
                } catch (QubesException e) {
                    // already gone
                }
            });
        }
    }

    /** Runs the command; returns its exit code, or null after sending an error frame. */
    private Integer run(RunningQube rq, String user, String command, InputStream in, OutputStream out)
            throws IOException {
        ExecSpec spec;
        try {
            spec = new ExecSpec(user, List.of("/bin/sh", "-c", command), Map.of());
        } catch (IllegalArgumentException e) {
            error(out, e.getMessage());
            return null;
        }
        try (QubeProcess p = life.driver().exec(rq, spec)) {
            // Ends when the client sends end-of-input or the connection closes after the exit frame.
            Thread.ofVirtual().start(() -> pumpIn(in, p));
            Thread o = Thread.ofVirtual().start(() -> pumpOut(p.stdout(), out, ExecFrames.STDOUT));
            Thread e = Thread.ofVirtual().start(() -> pumpOut(p.stderr(), out, ExecFrames.STDERR));
            int code = p.waitFor();
            o.join();
            e.join();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            error(out, String.valueOf(e.getMessage()));
            return null;
        }
    }

    private static void pumpIn(InputStream in, QubeProcess p) {
        try (OutputStream stdin = p.stdin()) {
            while (true) {
                ExecFrames.Frame f = ExecFrames.read(in);
                if (f == null || f.type() != ExecFrames.STDIN || f.data().length == 0) {
                    return;
                }
                stdin.write(f.data());
                stdin.flush();
            }
        } catch (IOException e) {
            // the program closed its stdin, or the client went away
        }
    }

    private static void pumpOut(InputStream from, OutputStream out, int type) {
        byte[] buf = new byte[ExecFrames.MAX];
        try (from) {
            for (int n = from.read(buf); n >= 0; n = from.read(buf)) {
                synchronized (out) {
                    ExecFrames.write(out, type, buf, 0, n);
                }
            }
        } catch (IOException e) {
            // client gone
        }
    }

    private static void error(OutputStream out, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            ExecFrames.write(out, ExecFrames.ERROR, m, 0, Math.min(m.length, ExecFrames.MAX));
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join();
            Files.deleteIfExists(path);
        } catch (IOException | InterruptedException e) {
            LOG.log(Level.WARNING, "closing the exec socket", e);
        }
    }
}
