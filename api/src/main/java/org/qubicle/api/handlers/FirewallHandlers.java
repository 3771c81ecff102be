package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Dest.NOT_ADMIN_VM;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.MethodTable;
import org.qubicle.model.event.Notice;
import org.qubicle.model.firewall.FirewallRule;

/**
 * {@code admin.vm.firewall.*}: the whole rule list at once. A syntax error in any line refuses
 * the whole payload; qubesd answers that with an empty response, we with the model's error
 * frame (admin-api.md §7 allows either).
 */
final class FirewallHandlers {
    private FirewallHandlers() {
    }

    static void register(MethodTable.Builder b) {
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
            return "";
        });
        b.add("admin.vm.firewall.Reload", NONE, Payload.NONE, NOT_ADMIN_VM, READ, call -> {
            call.app().events().fire(Notice.of(call.dest().name(), "firewall-changed"));
            return "";
        });
    }
}
