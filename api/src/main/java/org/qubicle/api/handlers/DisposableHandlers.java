package org.qubicle.api.handlers;

import org.qubicle.api.Handler;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;

/**
 * {@code admin.vm.CreateDisposable}: destination dom0 means the caller's
 * {@code default_dispvm}; any other destination is the disposable template itself. The
 * argument is empty, or {@code preload-autostart} which is not supported yet.
 */
final class DisposableHandlers {
    private DisposableHandlers() {
    }

    static Handler.Plain create(LifecycleHandlers.Lifecycle lifecycle) {
        return call -> {
            if (!call.arg().isEmpty()) {
                throw new ProtocolError("unexpected argument");
            }
            Qube dvm = call.dest();
            if (call.destIsAdminVm()) {
                dvm = call.app().find(call.source().get("default_dispvm").text()).orElse(null);
                if (dvm == null) {
                    throw new QubesException("No default_dispvm for " + call.source().name());
                }
            }
            return lifecycle.createDisposable(dvm, call.source());
        };
    }
}
