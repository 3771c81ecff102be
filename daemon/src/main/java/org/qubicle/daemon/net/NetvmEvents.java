package org.qubicle.daemon.net;

import java.util.Optional;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.PropertyPreReset;
import org.qubicle.model.event.PropertyPreSet;
import org.qubicle.model.event.PropertyReset;
import org.qubicle.model.event.PropertySet;
import org.qubicle.model.exc.QubesVMNotStartedError;

/**
 * {@code netvm} changes on running qubes, as qubes-core-admin's {@code NetVMMixin} handles
 * them: before the change, a running qube may only move to a running netvm
 * ({@code QubesVMNotStartedError: Cannot dynamically attach to stopped qube X}; Qubes does not
 * start it); after the change, the qube is rewired live, keeping its namespace, address and
 * processes; {@code netvm=""} cuts it off. Resetting {@code netvm}, and changing the global
 * {@code default_netvm}, move every running qube that follows the default likewise.
 *
 * <p>Qubes defers the change of a paused qube until it is unpaused (libvirt cannot hotplug
 * then); a namespace can be rewired while the qube is frozen, so here it happens at once.
 */
final class NetvmEvents {
    private final Qubes app;
    private final NetworkService service;

    NetvmEvents(Qubes app, NetworkService service) {
        this.app = app;
        this.service = service;
    }

    void register() {
        app.events().on(PropertyPreSet.class, e -> {
            if (e.name().equals("netvm")) {
                app.find(e.subject()).ifPresent(q -> check(q, e.newValue()));
            } else if (e.subject().isEmpty() && e.name().equals("default_netvm")) {
                followers().forEach(q -> check(q, e.newValue()));
            }
        });
        app.events().on(PropertyPreReset.class, e -> {
            if (e.name().equals("netvm")) {
                app.find(e.subject()).ifPresent(q -> check(q, q.getDefault("netvm").map(v -> v.text()).orElse("")));
            } else if (e.subject().isEmpty() && e.name().equals("default_netvm")) {
                followers().forEach(q -> check(q, ""));
            }
        });
        app.events().on(PropertySet.class, e -> after(e.subject(), e.name()));
        app.events().on(PropertyReset.class, e -> after(e.subject(), e.name()));
    }

    private void after(String subject, String name) {
        if (name.equals("netvm")) {
            app.find(subject).ifPresent(service::rewire);
        } else if (subject.isEmpty() && name.equals("default_netvm")) {
            followers().forEach(service::rewire);
        }
    }

    /** Running, wired qubes whose netvm is the global default. */
    private java.util.List<Qube> followers() {
        return app.qubes().stream()
                .filter(q -> q.klass() != QubeClass.ADMIN_VM && q.klass() != QubeClass.TEMPLATE_VM)
                .filter(q -> !q.isSet("netvm") && service.attached(q))
                .toList();
    }

    private void check(Qube q, String newNetvm) {
        if (newNetvm == null || newNetvm.isEmpty() || !q.powerState().isStarted() || !service.attached(q)) {
            return;
        }
        Optional<Qube> n = app.find(newNetvm);
        // Qubes' is_running(): running or paused.
        boolean up = n.isPresent() && (n.get().powerState() == PowerState.Running
                || n.get().powerState() == PowerState.Paused) && service.attached(n.get());
        if (!up) {
            throw new QubesVMNotStartedError("Cannot dynamically attach to stopped qube " + newNetvm);
        }
    }
}
