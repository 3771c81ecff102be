package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.OPTIONAL;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.util.Set;
import org.qubicle.api.ApiMethod;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.ProtocolError;

/**
 * The lifecycle calls: {@code admin.vm.Start}, {@code Shutdown}, {@code Kill}, {@code Pause},
 * {@code Unpause}, {@code CurrentState} (with real figures) and {@code CreateDisposable}.
 * The work is done by a {@link Lifecycle} that the daemon hands in, since the api module
 * knows no isolation driver or storage.
 *
 * <p>Start, Shutdown, Kill, Pause and Unpause are declared READ: they change no persistent
 * state, so qubes.xml is not rewritten on every start (qubesd does not save either).
 */
public final class LifecycleHandlers {
    /** Methods declared here that replace a standard declaration of the same name. */
    private static final Set<String> OVERRIDES = Set.of("admin.vm.CurrentState", "admin.vm.Remove");

    private LifecycleHandlers() {
    }

    /**
     * What the daemon does for each call. Every method runs holding the system's lock and
     * throws the Qubes exceptions (QubesVMNotStartedError, QubesVMInUseError, ...).
     */
    public interface Lifecycle {
        void start(Qube q);

        void shutdown(Qube q, boolean force, boolean wait);

        void kill(Qube q);

        void pause(Qube q);

        void unpause(Qube q);

        /** The {@code admin.vm.CurrentState} line. */
        String currentState(Qube q);

        /** Creates an unnamed disposable from {@code dvm} for {@code caller}; returns its name. */
        String createDisposable(Qube dvm, Qube caller);

        /** Deletes the files of {@code q}, which was just removed from the model. */
        default void removed(Qube q) {
        }
    }

    /** The standard table plus the lifecycle calls served by {@code lifecycle}. */
    public static MethodTable table(Lifecycle lifecycle) {
        MethodTable.Builder b = MethodTable.builder();
        for (ApiMethod m : Handlers.standardTable().all()) {
            if (!OVERRIDES.contains(m.name())) {
                b.add(m);
            }
        }
        // As qubesd: the model refuses first (running, in use); only then are the volumes deleted.
        b.add("admin.vm.Remove", NONE, ApiMethod.Payload.NONE, ANY, WRITE, call -> {
            Qube q = call.dest();
            call.app().remove(q);
            lifecycle.removed(q);
            return "";
        });
        b.add("admin.vm.Start", NONE, ApiMethod.Payload.NONE, ANY, READ, call -> {
            lifecycle.start(call.dest());
            return "";
        });
        b.add("admin.vm.Shutdown", OPTIONAL, ApiMethod.Payload.NONE, ANY, READ, call -> {
            boolean force;
            boolean wait;
            switch (call.arg()) {
                case "" -> { force = false; wait = false; }
                case "force" -> { force = true; wait = false; }
                case "wait" -> { force = false; wait = true; }
                case "force+wait" -> { force = true; wait = true; }
                default -> throw new ProtocolError("unexpected argument");
            }
            lifecycle.shutdown(call.dest(), force, wait);
            return "";
        });
        b.add("admin.vm.Kill", NONE, ApiMethod.Payload.NONE, ANY, READ, call -> {
            lifecycle.kill(call.dest());
            return "";
        });
        b.add("admin.vm.Pause", NONE, ApiMethod.Payload.NONE, ANY, READ, call -> {
            lifecycle.pause(call.dest());
            return "";
        });
        b.add("admin.vm.Unpause", NONE, ApiMethod.Payload.NONE, ANY, READ, call -> {
            lifecycle.unpause(call.dest());
            return "";
        });
        b.add("admin.vm.CurrentState", NONE, ApiMethod.Payload.NONE, ANY, READ,
                call -> lifecycle.currentState(call.dest()));
        b.add("admin.vm.CreateDisposable", OPTIONAL, ApiMethod.Payload.NONE, ANY, WRITE,
                DisposableHandlers.create(lifecycle));
        return b.build();
    }
}
