package org.qubicle.daemon.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;

/**
 * Starts the qubes with {@code autostart=True} once per host boot, as Qubes' dom0 does
 * through one {@code qubes-vm@NAME} systemd unit per such qube. "Once per boot" is a
 * marker in the run directory ({@code /var/run/qubes}, a tmpfs on a real host, so it is
 * gone after a reboot); a daemon restart does not start them again. The starts run in a
 * virtual thread, so the daemon serves calls meanwhile; netvms come first through the
 * normal start (which starts the netvm chain).
 */
final class Autostart {
    private static final Logger LOG = Logger.getLogger(Autostart.class.getName());
    static final String MARKER = "autostart.done";

    private Autostart() {
    }

    static void atBoot(Qubes app, LifecycleService life, Path runDir) {
        Path marker = runDir.resolve(MARKER);
        try {
            Files.createDirectories(runDir);
            if (Files.exists(marker)) {
                return;
            }
            Files.writeString(marker, "");
        } catch (IOException e) {
            LOG.log(Level.WARNING, "autostart marker " + marker + ": " + e.getMessage());
            return;
        }
        List<String> names;
        synchronized (app.lock()) {
            names = app.qubes().stream()
                    .filter(q -> q.klass() != QubeClass.ADMIN_VM && q.boolProperty("autostart"))
                    .map(Qube::name).toList();
        }
        if (names.isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("autostart").start(() -> {
            for (String n : names) {
                synchronized (app.lock()) {
                    try {
                        Qube q = app.qube(n);
                        if (q.powerState() == PowerState.Halted) {
                            life.start(q);
                            LOG.info("autostarted " + n);
                        }
                    } catch (QubesException | IllegalArgumentException e) {
                        LOG.warning("autostart of " + n + " failed: " + e.getMessage());
                    }
                }
            }
        });
    }
}
