package org.qubicle.model.firewall;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import org.qubicle.model.exc.QubesValueError;

/**
 * One firewall rule of a qube, enforced by its netvm. The first matching rule wins, with
 * an implicit final drop. Field rules follow {@code qubes/firewall.py}:
 * ports only with tcp or udp, an ICMP type only with icmp, a comment last.
 *
 * <pre>{@code
 * FirewallRule.parse("action=accept dsthost=example.com proto=tcp dstports=443 comment=web")
 * }</pre>
 */
public record FirewallRule(
        Action action,
        Optional<DstHost> dst,
        Optional<Proto> proto,
        Optional<PortRange> dstPorts,
        Optional<Integer> icmpType,
        boolean specialTargetDns,
        Optional<Long> expire,
        Optional<String> comment) {

    public enum Action { accept, drop }

    public enum Proto { tcp, udp, icmp }

    /** The default ruleset of a new qube: allow everything. */
    public static final FirewallRule ACCEPT_ALL = new FirewallRule(Action.accept, Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty());

    public FirewallRule {
        if (dstPorts.isPresent() && proto.filter(p -> p != Proto.icmp).isEmpty()) {
            throw new QubesValueError("dstports valid only for tcp and udp protocols");
        }
        if (icmpType.isPresent() && proto.filter(p -> p == Proto.icmp).isEmpty()) {
            throw new QubesValueError("icmptype valid only for icmp protocol");
        }
        icmpType.ifPresent(t -> {
            if (t < 0 || t > 255) {
                throw new QubesValueError("ICMP type out of range");
            }
        });
        comment.ifPresent(FirewallRule::checkComment);
    }

    /** Parses one API line ({@code admin.vm.firewall.Set}); {@code comment=} takes the rest. */
    public static FirewallRule parse(String untrustedLine) {
        return RuleParser.parse(untrustedLine);
    }

    /** Builds a rule from {@code firewall.xml} properties (same keys as the API). */
    public static FirewallRule fromProperties(Map<String, String> untrustedProps) {
        return RuleParser.fromMap(untrustedProps);
    }

    public boolean isExpired(long nowEpochSeconds) {
        return expire.filter(e -> e <= nowEpochSeconds).isPresent();
    }

    /** The fields in the server's order: action, expire, dst*, proto, specialtarget, dstports, icmptype, comment. */
    public SequencedMap<String, String> properties() {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        m.put("action", action.name());
        expire.ifPresent(e -> m.put("expire", Long.toString(e)));
        dst.ifPresent(d -> m.put(d.apiKey(), d.value()));
        proto.ifPresent(p -> m.put("proto", p.name()));
        if (specialTargetDns) {
            m.put("specialtarget", "dns");
        }
        dstPorts.ifPresent(p -> m.put("dstports", p.toString()));
        icmpType.ifPresent(t -> m.put("icmptype", Integer.toString(t)));
        comment.ifPresent(c -> m.put("comment", c));
        return m;
    }

    /** The API text of this rule, as {@code admin.vm.firewall.Get} returns it. */
    public String toApiString() {
        StringBuilder sb = new StringBuilder();
        properties().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    static void checkComment(String c) {
        if (!c.matches("[A-Za-z0-9:;,./_\\[\\] -]*")) {
            throw new QubesValueError("Invalid characters in comment");
        }
    }
}
