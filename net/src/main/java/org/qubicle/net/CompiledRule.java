package org.qubicle.net;

import java.util.List;
import java.util.Optional;
import org.qubicle.model.firewall.FirewallRule.Action;
import org.qubicle.model.firewall.FirewallRule.Proto;
import org.qubicle.model.firewall.PortRange;

/**
 * One nft rule of a client's {@code qbs-*} chain, after names are resolved: what
 * {@link FirewallCompiler} makes of a {@code FirewallRule}. The same value renders to nft
 * and decides, in Java, which live conntrack flows a new ruleset still allows.
 *
 * @param dsts every inner list is one {@code ip daddr {...}} match; all of them must match
 */
record CompiledRule(Action action, Optional<Proto> proto, List<List<Cidr>> dsts, Optional<PortRange> ports,
        Optional<Integer> icmpType) {

    CompiledRule {
        dsts = dsts.stream().map(List::copyOf).toList();
    }

    /** The implicit final rule: Qubes' policy {@code drop}. */
    static final CompiledRule POLICY_DROP = new CompiledRule(Action.drop, Optional.empty(), List.of(),
            Optional.empty(), Optional.empty());

    String toNft() {
        StringBuilder sb = new StringBuilder();
        proto.ifPresent(p -> sb.append("ip protocol ").append(p).append(' '));
        for (List<Cidr> set : dsts) {
            sb.append("ip daddr { ");
            for (int i = 0; i < set.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(set.get(i));
            }
            sb.append(" } ");
        }
        ports.ifPresent(p -> sb.append(proto.orElseThrow()).append(" dport ")
                .append(p.low() == p.high() ? Integer.toString(p.low()) : p.toString()).append(' '));
        icmpType.ifPresent(t -> sb.append("icmp type ").append(t).append(' '));
        // Qubes' drop is a reject, so that clients fail at once instead of timing out.
        sb.append(action == Action.accept ? "accept" : "reject with icmp type admin-prohibited");
        return sb.toString();
    }

    /** Whether this rule matches a flow (protocol, destination after DNAT, port or ICMP type). */
    boolean matches(Flow f) {
        if (proto.isPresent() && !proto.get().name().equals(f.proto())) {
            return false;
        }
        for (List<Cidr> set : dsts) {
            if (set.stream().noneMatch(c -> c.contains(f.daddr()))) {
                return false;
            }
        }
        if (ports.isPresent() && (f.dport() < ports.get().low() || f.dport() > ports.get().high())) {
            return false;
        }
        return icmpType.isEmpty() || icmpType.get() == f.icmpType();
    }

    /** A flow's fields as a rule sees them; port and ICMP type are -1 when not applicable. */
    record Flow(String proto, int daddr, int dport, int icmpType) {
    }
}
