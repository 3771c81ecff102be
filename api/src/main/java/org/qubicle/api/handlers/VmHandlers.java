package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.OPTIONAL;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;

/** The qube collection: classes, listing, state, create and remove. No lifecycle yet. */
final class VmHandlers {
    private VmHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.vmclass.List", NONE, Payload.NONE, ADMIN_VM, READ, call -> {
            List<String> names = new ArrayList<>();
            for (QubeClass c : QubeClass.values()) {
                names.add(c.wireName());
            }
            names.sort(null);
            return Replies.lines(names);
        });
        b.add("admin.vm.List", NONE, Payload.NONE, ANY, READ, VmHandlers::list);
        b.add("admin.vm.CurrentState", NONE, Payload.NONE, ANY, READ, call -> currentState(call.dest()));
        for (QubeClass c : QubeClass.values()) {
            if (c != QubeClass.ADMIN_VM) {
                b.add("admin.vm.Create." + c.wireName(), OPTIONAL, Payload.REQUIRED, ADMIN_VM, WRITE,
                        call -> CreatePayload.parse(call, c, false).create(call));
                b.add("admin.vm.CreateInPool." + c.wireName(), OPTIONAL, Payload.REQUIRED, ADMIN_VM, WRITE,
                        call -> CreatePayload.parse(call, c, true).create(call));
            }
        }
        b.add("admin.vm.Remove", NONE, Payload.NONE, ANY, WRITE, call -> {
            call.app().remove(call.dest());
            return "";
        });
    }

    private static String list(Call call) {
        java.util.Collection<Qube> qubes = call.destIsAdminVm() ? call.app().qubes() : List.of(call.dest());
        StringBuilder sb = new StringBuilder();
        for (Qube q : qubes) {
            if (call.destIsAdminVm() && !call.shows("admin.vm.List", call.arg(), q.name())) {
                continue;
            }
            sb.append(q.name()).append(" class=").append(q.klass().wireName())
                    .append(" state=").append(q.powerState().name())
                    .append(" uuid=").append(q.uuid()).append('\n');
        }
        return sb.toString();
    }

    private static String currentState(Qube q) {
        return "mem=0 mem_static_max=0 cputime=0 power_state=" + q.powerState().name();
    }
}
