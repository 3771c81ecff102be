package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;

import java.nio.charset.StandardCharsets;
import org.qubicle.api.ApiMethod;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Handler;
import org.qubicle.api.MethodTable;
import org.qubicle.api.policy.PolicyAdminError;
import org.qubicle.policy.admin.PolicyAdminException;
import org.qubicle.policy.admin.PolicyFiles;

/**
 * The Policy Admin API ({@code policy.List|Get|Replace|Remove} and {@code policy.include.*}),
 * served by qubesd on its socket (upstream runs them as a dom0 qrexec service). Destination is
 * always dom0. {@code Replace} and {@code Remove} accept an empty payload so that a missing
 * token gets upstream's own message; the checks are in {@link PolicyFiles}.
 *
 * <p>A Get answer is the token line and the file's bytes; files are UTF-8 policy text, so the
 * reply is built as a string without loss.
 */
public final class PolicyHandlers {
    private PolicyHandlers() {
    }

    /** {@code base} plus the {@code policy.*} methods served from {@code files}. */
    public static MethodTable extend(MethodTable base, PolicyFiles files) {
        MethodTable.Builder b = MethodTable.builder();
        for (ApiMethod m : base.all()) {
            b.add(m);
        }
        register(b, files);
        return b.build();
    }

    /** Declares the eight {@code policy.*} methods. */
    public static void register(MethodTable.Builder b, PolicyFiles files) {
        for (boolean include : new boolean[] {false, true}) {
            String prefix = include ? "policy.include." : "policy.";
            b.add(prefix + "List", NONE, Payload.NONE, ADMIN_VM, READ, guard(call -> files.list(include)));
            b.add(prefix + "Get", REQUIRED, Payload.NONE, ADMIN_VM, READ,
                    guard(call -> new String(files.get(include, call.arg()), StandardCharsets.UTF_8)));
            b.add(prefix + "Replace", REQUIRED, Payload.OPTIONAL, ADMIN_VM, WRITE, guard(call -> {
                files.replace(include, call.arg(), call.untrustedPayload());
                return "";
            }));
            b.add(prefix + "Remove", REQUIRED, Payload.OPTIONAL, ADMIN_VM, WRITE, guard(call -> {
                files.remove(include, call.arg(), call.untrustedPayload());
                return "";
            }));
        }
    }

    private static Handler.Plain guard(Handler.Plain h) {
        return call -> {
            try {
                return h.handle(call);
            } catch (PolicyAdminException e) {
                throw new PolicyAdminError(e);
            }
        };
    }
}
