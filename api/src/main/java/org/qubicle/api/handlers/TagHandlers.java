package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.Tags;

/** {@code admin.vm.tag.*}. Only dom0 may add or remove {@code created-by-*} tags. */
final class TagHandlers {
    private TagHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.vm.tag.List", NONE, Payload.NONE, ANY, READ, call -> {
            return Replies.lines(call.dest().tags().all());
        });
        b.add("admin.vm.tag.Get", REQUIRED, Payload.NONE, ANY, READ,
                call -> call.dest().tags().contains(validTag(call.arg())) ? "1" : "0");
        b.add("admin.vm.tag.Set", REQUIRED, Payload.NONE, ANY, WRITE, call -> {
            String tag = guarded(call);
            call.dest().tags().add(tag);
            return "";
        });
        b.add("admin.vm.tag.Remove", REQUIRED, Payload.NONE, ANY, WRITE, call -> {
            String tag = guarded(call);
            call.dest().tags().remove(tag);
            return "";
        });
    }

    private static String guarded(Call call) {
        String tag = validTag(call.arg());
        if (tag.startsWith("created-by-") && call.source() != call.app().adminVm()) {
            throw new PermissionDenied("only dom0 may change created-by-* tags");
        }
        return tag;
    }

    static String validTag(String untrustedTag) {
        return Tags.validate(untrustedTag);
    }
}
