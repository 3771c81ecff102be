package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.OPTIONAL;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.qubicle.api.ApiMethod;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.PropertyHolder;
import org.qubicle.model.property.PropertyValue;

/**
 * {@code admin.vm.property.*} (holder: the destination qube) and {@code admin.property.*}
 * (holder: the global properties, destination dom0 only). Same seven calls, same encodings.
 */
final class PropertyHandlers {
    private PropertyHandlers() {
    }

    static void register(MethodTable.Builder b) {
        register(b, "admin.vm.property.", ANY, Call::dest);
        register(b, "admin.property.", ADMIN_VM, call -> call.app().globals());
        b.add(GET_ALL_OF_ALL, OPTIONAL, ApiMethod.Payload.NONE, ADMIN_VM, READ, PropertyHandlers::getAllOfAll);
    }

    /**
     * Qubicle extension: every qube's {@code admin.vm.property.GetAll} in one call, so that
     * {@code qvm-ls} on a thousand qubes makes one connection instead of a thousand. For each
     * qube the caller may see (in {@code admin.vm.List} order): a line {@code NAME LENGTH},
     * then exactly LENGTH characters, that qube's GetAll answer. An argument
     * {@code PROP+PROP+...} keeps only those properties' lines (names the qube lacks are
     * skipped), which spares the daemon most of the work when the caller shows a few columns.
     */
    static final String GET_ALL_OF_ALL = org.qubicle.api.Extensions.GET_ALL_OF_ALL;

    private static void register(MethodTable.Builder b, String prefix, ApiMethod.Dest dest,
            Function<Call, PropertyHolder> holder) {
        b.add(prefix + "List", NONE, ApiMethod.Payload.NONE, dest, READ,
                call -> Replies.lines(sorted(holder.apply(call).propertyNames())));
        b.add(prefix + "Get", REQUIRED, ApiMethod.Payload.NONE, dest, READ,
                call -> getText(holder.apply(call).get(call.arg())));
        b.add(prefix + "GetAll", NONE, ApiMethod.Payload.NONE, dest, READ, call -> getAll(holder.apply(call)));
        b.add(prefix + "GetDefault", REQUIRED, ApiMethod.Payload.NONE, dest, READ, call -> {
            PropertyHolder h = holder.apply(call);
            return h.getDefault(call.arg()).map(PropertyHandlers::typedText).orElse("");
        });
        b.add(prefix + "Help", REQUIRED, ApiMethod.Payload.NONE, dest, READ,
                call -> holder.apply(call).help(call.arg()));
        b.add(prefix + "Set", REQUIRED, ApiMethod.Payload.OPTIONAL, dest, WRITE, call -> {
            holder.apply(call).set(call.arg(), call.untrustedPayloadAscii());
            return "";
        });
        b.add(prefix + "Reset", REQUIRED, ApiMethod.Payload.NONE, dest, WRITE, call -> {
            holder.apply(call).reset(call.arg());
            return "";
        });
    }

    private static List<String> sorted(java.util.Collection<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    /** {@code default=True type=int 400}; an unset value leaves a trailing space. */
    static String getText(PropertyValue v) {
        return "default=" + Replies.bool(v.isDefault()) + " " + typedText(v);
    }

    private static String typedText(PropertyValue v) {
        return "type=" + v.type().wireName() + " " + v.text();
    }

    private static String getAllOfAll(Call call) {
        List<String> only = call.arg().isEmpty() ? null : List.of(call.arg().split("\\+"));
        StringBuilder sb = new StringBuilder();
        for (org.qubicle.model.Qube q : call.app().qubes()) {
            if (call.shows(GET_ALL_OF_ALL, call.arg(), q.name())) {
                String all = only == null ? getAll(q) : getSome(q, only);
                sb.append(q.name()).append(' ').append(all.length()).append('\n').append(all);
            }
        }
        return sb.toString();
    }

    private static String getAll(PropertyHolder h) {
        return getSome(h, sorted(h.propertyNames()));
    }

    private static String getSome(PropertyHolder h, List<String> names) {
        java.util.Collection<String> has = h.propertyNames();
        StringBuilder sb = new StringBuilder();
        for (String name : names) {
            if (!has.contains(name)) {
                continue;
            }
            String text = getText(h.get(name)).replace("\\", "\\\\").replace("\n", "\\n");
            sb.append(name).append(' ').append(text).append('\n');
        }
        return sb.toString();
    }
}
