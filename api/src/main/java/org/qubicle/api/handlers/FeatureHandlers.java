package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.util.Optional;
import java.util.function.BiFunction;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Features;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesFeatureNotFoundError;

/** {@code admin.vm.feature.*}: the per-qube string map and its inheritance lookups. */
final class FeatureHandlers {
    private FeatureHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.vm.feature.List", NONE, Payload.NONE, ANY, READ, call -> {
            return Replies.lines(call.dest().features().asMap().keySet());
        });
        b.add("admin.vm.feature.Get", REQUIRED, Payload.NONE, ANY, READ,
                call -> call.dest().features().get(validName(call.arg())));
        b.add("admin.vm.feature.Set", REQUIRED, Payload.OPTIONAL, ANY, WRITE, call -> {
            String name = validName(call.arg());
            call.dest().features().set(name, validValue(call.untrustedPayload()));
            return "";
        });
        b.add("admin.vm.feature.Remove", REQUIRED, Payload.NONE, ANY, WRITE, call -> {
            String name = validName(call.arg());
            call.dest().features().remove(name);
            return "";
        });
        check(b, "CheckWithTemplate", Features::checkWithTemplate);
        check(b, "CheckWithNetvm", Features::checkWithNetvm);
        check(b, "CheckWithAdminVM", Features::checkWithAdminVm);
        check(b, "CheckWithTemplateAndAdminVM", Features::checkWithTemplateAndAdminVm);
    }

    private static void check(MethodTable.Builder b, String op, BiFunction<Features, String, Optional<String>> lookup) {
        b.add("admin.vm.feature." + op, REQUIRED, Payload.NONE, ANY, READ,
                call -> found(call, lookup.apply(call.dest().features(), validName(call.arg()))));
    }

    private static String found(Call call, Optional<String> value) {
        return value.orElseThrow(() -> new QubesFeatureNotFoundError(
                "Feature not set for domain " + call.dest().name() + ": " + call.arg()));
    }

    static String validName(String untrustedName) {
        if (!untrustedName.matches("[A-Za-z0-9_.-]+")) {
            throw new ProtocolError("Invalid feature name");
        }
        return untrustedName;
    }

    static String validValue(byte[] untrustedValue) {
        StringBuilder sb = new StringBuilder(untrustedValue.length);
        for (byte b : untrustedValue) {
            if (b < 0x20 || b > 0x7e) {
                throw new ProtocolError("Invalid feature value");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
