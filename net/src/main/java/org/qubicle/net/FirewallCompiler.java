package org.qubicle.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.firewall.DstHost;
import org.qubicle.model.firewall.FirewallRule;
import org.qubicle.model.firewall.FirewallRule.Proto;
import org.qubicle.model.firewall.PortRange;

/**
 * Turns a qube's firewall rules into the rules of its {@code qbs-*} chain, following
 * qubes-core-agent-linux {@code qubesagent/firewall.py} (nftables worker):
 * <ul>
 *   <li>expired rules are skipped; IPv6 rules too, as qubesd leaves other-family rules out
 *       for an IPv4-only client;</li>
 *   <li>{@code dsthost} names are resolved now, in the netvm; a failed lookup fails the whole
 *       ruleset (the caller then installs a single drop);</li>
 *   <li>{@code dstports} without {@code proto} becomes a tcp and a udp rule;</li>
 *   <li>{@code specialtarget=dns} matches the netvm's resolvers on port 53, and is skipped if
 *       its ports are other than 53 or the netvm has no resolver;</li>
 *   <li>the implicit final rule is drop, rendered as reject admin-prohibited.</li>
 * </ul>
 */
final class FirewallCompiler {
    /** Resolves a host name to IPv4 addresses in the netvm; throws on failure. */
    interface Resolver {
        List<Cidr> resolve(String name);
    }

    private FirewallCompiler() {
    }

    static List<CompiledRule> compile(List<FirewallRule> rules, long now, List<Cidr> dnsServers, Resolver resolver) {
        List<CompiledRule> out = new ArrayList<>();
        for (FirewallRule r : rules) {
            if (r.isExpired(now)) {
                continue;
            }
            List<List<Cidr>> dsts = new ArrayList<>();
            if (r.dst().isPresent()) {
                DstHost d = r.dst().get();
                switch (d.kind()) {
                    case IPV4 -> dsts.add(List.of(Cidr.parse(d.value())));
                    case IPV6 -> {
                        continue;
                    }
                    case NAME -> {
                        List<Cidr> addrs = resolver.resolve(d.value());
                        if (addrs.isEmpty()) {
                            throw new QubesValueError("Failed to resolve " + d.value());
                        }
                        dsts.add(addrs);
                    }
                }
            }
            Optional<PortRange> ports = r.dstPorts();
            if (r.specialTargetDns()) {
                if (ports.isPresent() && !(ports.get().low() == 53 && ports.get().high() == 53)) {
                    continue;
                }
                if (dnsServers.isEmpty() || r.proto().filter(p -> p == Proto.icmp).isPresent()) {
                    continue;
                }
                ports = Optional.of(new PortRange(53, 53));
                dsts.add(dnsServers);
            }
            if (ports.isPresent() && r.proto().isEmpty()) {
                for (Proto p : List.of(Proto.tcp, Proto.udp)) {
                    out.add(new CompiledRule(r.action(), Optional.of(p), dsts, ports, Optional.empty()));
                }
            } else {
                out.add(new CompiledRule(r.action(), r.proto(), dsts, ports, r.icmpType()));
            }
        }
        out.add(CompiledRule.POLICY_DROP);
        return out;
    }

    /** The fail-closed chain installed when the rules cannot be compiled or applied. */
    static List<CompiledRule> failClosed() {
        return List.of(CompiledRule.POLICY_DROP);
    }

    /** The earliest expiry still in the future, or empty. */
    static Optional<Long> nextExpiry(List<FirewallRule> rules, long now) {
        return rules.stream().flatMap(r -> r.expire().stream()).filter(e -> e > now).min(Long::compare);
    }

    /** Whether the first matching rule of {@code chain} accepts the flow. */
    static boolean allows(List<CompiledRule> chain, CompiledRule.Flow flow) {
        for (CompiledRule r : chain) {
            if (r.matches(flow)) {
                return r.action() == FirewallRule.Action.accept;
            }
        }
        return false;
    }
}
