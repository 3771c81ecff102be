package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Label;
import org.qubicle.model.Labels;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesInvalidLabelValueError;
import org.qubicle.model.exc.QubesLabelInUseError;
import org.qubicle.model.exc.QubesLabelNotFoundError;
import org.qubicle.model.exc.QubesValueError;

/** {@code admin.label.*}: the label table (dest dom0), with qubesd's checks. */
final class LabelHandlers {
    private LabelHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.label.List", NONE, Payload.NONE, ADMIN_VM, READ, call -> {
            List<String> names = new ArrayList<>();
            for (Label l : call.app().labels().all()) {
                names.add(l.name());
            }
            return Replies.lines(names);
        });
        b.add("admin.label.Get", REQUIRED, Payload.NONE, ADMIN_VM, READ, call -> label(call).color());
        b.add("admin.label.Index", REQUIRED, Payload.NONE, ADMIN_VM, READ, call -> Integer.toString(label(call).index()));
        b.add("admin.label.Create", REQUIRED, Payload.REQUIRED, ADMIN_VM, WRITE, LabelHandlers::create);
        b.add("admin.label.Remove", REQUIRED, Payload.NONE, ADMIN_VM, WRITE, LabelHandlers::remove);
    }

    private static Label label(Call call) {
        return call.app().labels().get(call.arg());
    }

    private static String create(Call call) {
        String name = call.arg();
        // qubesd: a name of digits only would be confused with an index
        if (name.chars().allMatch(Character::isDigit) || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new PermissionDenied("label name not allowed");
        }
        Labels labels = call.app().labels();
        if (labels.exists(name)) {
            throw new QubesValueError("label already exists");
        }
        String untrustedColor = call.untrustedPayloadAsciiStrict().strip();
        if (!untrustedColor.matches("0x[0-9a-fA-F]{6}")) {
            throw new QubesInvalidLabelValueError("Invalid color value");
        }
        labels.create(name, untrustedColor);
        return "";
    }

    private static String remove(Call call) {
        Label label = label(call);
        if (!label.name().equals(call.arg())) {
            throw new QubesLabelNotFoundError("Label does not exist: " + call.arg());
        }
        if (label.isBuiltIn()) {
            throw new ProtocolError("Can only remove custom labels");
        }
        for (Qube q : call.app().qubes()) {
            if (q.label().equals(label)) {
                throw new QubesLabelInUseError("Label " + label.name() + " is used by " + q.name());
            }
        }
        call.app().labels().remove(label);
        return "";
    }
}
