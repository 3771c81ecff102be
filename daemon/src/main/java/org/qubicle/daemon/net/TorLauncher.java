package org.qubicle.daemon.net;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.Notice;

/**
 * Starts Tor in a Tor gateway (feature {@code net.gateway=tor}) when it starts: Qubicle's
 * qubes run no service manager, so the daemon does what sys-whonix's systemd does. It runs,
 * as the qube's root, {@code /usr/bin/tor -f /etc/tor/torrc --RunAsDaemon 1} if the qube's
 * root has it (the {@code debian-12-tor} template, docs/net.md); without it nothing listens
 * and nothing gets through the gateway (fail closed).
 */
final class TorLauncher {
    private static final Logger LOG = Logger.getLogger(TorLauncher.class.getName());

    /** Tor's data in the private volume (the root is read-only), owned by the qube's root. */
    static final String SCRIPT = "[ -x /usr/bin/tor ] || { echo 'no /usr/bin/tor in this qube'; exit 0; }\n"
            + "mkdir -p /rw/tor && chmod 700 /rw/tor\n"
            + "exec /usr/bin/tor -f /etc/tor/torrc --RunAsDaemon 1 --DataDirectory /rw/tor </dev/null\n";

    private final Qubes app;
    private final LifecycleService life;

    TorLauncher(Qubes app, LifecycleService life) {
        this.app = app;
        this.life = life;
    }

    void register() {
        app.events().on(Notice.class, e -> {
            if (e.wireName().equals("domain-start")) {
                app.find(e.subject())
                        .filter(q -> q.providesNetwork() && q.features().find(NetSettings.GATEWAY).orElse("").startsWith("tor"))
                        .ifPresent(q -> life.handle(q.name()).ifPresent(rq ->
                                // Events fire holding the lock; the start must not wait for Tor.
                                Thread.ofVirtual().name("tor-" + q.name()).start(() -> launch(q.name(), rq))));
            }
        });
    }

    private void launch(String name, RunningQube rq) {
        try (QubeProcess p = life.driver().exec(rq, ExecSpec.of(ExecSpec.ROOT, "/bin/sh", "-c", SCRIPT))) {
            p.stdin().close();
            String out = new String(capped(p.stdout()), java.nio.charset.StandardCharsets.UTF_8)
                    + new String(capped(p.stderr()), java.nio.charset.StandardCharsets.UTF_8);
            int status = p.waitFor();
            LOG.info("tor in " + name + ": exit " + status + (out.isBlank() ? "" : ": " + out.strip()));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "starting tor in " + name + " failed; its clients get nothing through", e);
        }
    }

    private static byte[] capped(InputStream in) throws java.io.IOException {
        byte[] b = in.readNBytes(16 << 10);
        in.transferTo(OutputStream.nullOutputStream());
        return b;
    }
}
