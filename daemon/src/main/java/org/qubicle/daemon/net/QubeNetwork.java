package org.qubicle.daemon.net;

import java.util.Collection;
import org.qubicle.model.Qube;

/**
 * What the lifecycle asks of the network (docs/net.md, "In the daemon"). Every method runs
 * holding the system's lock, as the lifecycle does.
 */
public interface QubeNetwork extends AutoCloseable {
    /** No network wiring: every qube keeps the driver's own empty namespace. */
    QubeNetwork NONE = new QubeNetwork() {
        @Override
        public Wiring starting(Qube q) {
            return Wiring.NONE;
        }

        @Override
        public void stopped(Qube q) {
        }

        @Override
        public void tookBack(Collection<Qube> running) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Before the driver starts {@code q} (its netvm chain already runs): gives it its network
     * namespace, linked to its netvm, with its firewall enforced there. The driver's sandbox
     * joins {@link Wiring#netns()}; {@link Wiring#applyTo} completes the spec once the
     * storage is ready.
     *
     * @throws org.qubicle.model.exc.QubesException if the wiring fails; nothing is left then
     */
    Wiring starting(Qube q);

    /** The qube's processes are gone, or its start failed: its namespace and links go. Idempotent. */
    void stopped(Qube q);

    /**
     * A new daemon took back {@code running} from an earlier one: their wiring is taken back
     * (net qubes first), and what the earlier run left for any other qube is removed.
     */
    void tookBack(Collection<Qube> running);

    /** The daemon stops: running qubes keep their network, for the next daemon to take back. */
    @Override
    void close();
}
