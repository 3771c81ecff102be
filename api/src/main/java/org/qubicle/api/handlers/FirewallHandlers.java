package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Dest.NOT_ADMIN_VM;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.ApiMethod;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.event.Notice;
import org.qubicle.model.firewall.FirewallRule;

/**
 * {@code admin.vm.firewall.*}: the whole rule list at once. A syntax error in any line refuses
 * the whole payload; qubesd answers that with an empty response, we with the model's error
 * frame (admin-api.md §7 allows either).
 *
 * <p>{@code Set} and {@code Reload} call a {@link Hook} after the change, which the daemon
 * uses to enforce the rules in the qube's netvm at once (the api module knows no network).
 */
public final class FirewallHandlers {
    private FirewallHandlers() {
    }

    /** What the daemon does when a qube's rules were set or reloaded; runs holding the lock. */
    @FunctionalInterface
    public interface Hook {
        /**
         * Enforces {@code q}'s current rules if it runs. A failure to enforce is not the
         * caller's error (Qubes' agent applies them asynchronously): the hook logs it.
         */
        void firewallChanged(Qube q);
    }

    /** {@code base} with the firewall calls replaced by ones that call {@code hook}. */
    public static MethodTable withHook(MethodTable base, Hook hook) {
        MethodTable.Builder b = MethodTable.builder();
        for (ApiMethod m : base.all()) {
            if (!m.name().startsWith("admin.vm.firewall.")) {
                b.add(m);
            }
        }
        register(b, hook);
        return b.build();
    }

    static void register(MethodTable.Builder b) {
        register(b, q -> { });
    }

    static void register(MethodTable.Builder b, Hook hook) {
        b.add("admin.vm.firewall.Get", NONE, Payload.NONE, NOT_ADMIN_VM, READ, call -> {
            List<String> lines = new ArrayList<>();
            long now = System.currentTimeMillis() / 1000;
            for (FirewallRule r : call.dest().firewall()) {
                if (!r.isExpired(now)) {
                    lines.add(r.toApiString());
                }
            }
            return Replies.lines(lines);
        });
        b.add("admin.vm.firewall.Set", NONE, Payload.REQUIRED, NOT_ADMIN_VM, WRITE, call -> {
            String untrusted = call.untrustedPayloadAsciiStrict();
            List<FirewallRule> rules = new ArrayList<>();
            for (String untrustedLine : untrusted.split("\n")) {
                if (!untrustedLine.isEmpty()) {
                    rules.add(FirewallRule.parse(untrustedLine));
                }
            }
            call.dest().setFirewall(rules);
            hook.firewallChanged(call.dest());
            return "";
        });
        b.add("admin.vm.firewall.Reload", NONE, Payload.NONE, NOT_ADMIN_VM, READ, call -> {
            call.app().events().fire(Notice.of(call.dest().name(), "firewall-changed"));
            hook.firewallChanged(call.dest());
            return "";
        });
    }
}
