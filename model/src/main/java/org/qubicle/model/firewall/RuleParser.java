package org.qubicle.model.firewall;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.qubicle.model.exc.QubesValueError;

/** Parses rule text and rule property maps into validated {@link FirewallRule}s. */
final class RuleParser {
    private static final int MAX_LINE = 4096;
    private static final Set<String> KEYS = Set.of("action", "proto", "dst4", "dst6", "dsthost", "dstname",
            "dstports", "icmptype", "specialtarget", "expire", "comment");

    private RuleParser() {
    }

    static FirewallRule parse(String untrustedLine) {
        if (untrustedLine.length() > MAX_LINE) {
            throw new QubesValueError("Firewall rule too long");
        }
        Map<String, String> props = new LinkedHashMap<>();
        String rest = untrustedLine.strip();
        while (!rest.isEmpty()) {
            if (rest.startsWith("comment=")) {
                props.put("comment", rest.substring("comment=".length()));
                break;
            }
            int space = rest.indexOf(' ');
            String item = space < 0 ? rest : rest.substring(0, space);
            rest = space < 0 ? "" : rest.substring(space + 1).stripLeading();
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new QubesValueError("Invalid rule element: " + item);
            }
            String key = item.substring(0, eq);
            if (props.put(key, item.substring(eq + 1)) != null) {
                throw new QubesValueError("Duplicated rule element: " + key);
            }
        }
        return fromMap(props);
    }

    static FirewallRule fromMap(Map<String, String> props) {
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new QubesValueError("Unknown rule element: " + e.getKey());
            }
            if (!e.getKey().equals("comment") && !e.getValue().matches("[A-Za-z0-9:;,./_\\[\\]-]+")) {
                throw new QubesValueError("Invalid characters in rule element " + e.getKey());
            }
        }
        String action = props.get("action");
        if (action == null) {
            throw new QubesValueError("Rule has no action");
        }
        FirewallRule.Action act = switch (action) {
            case "accept" -> FirewallRule.Action.accept;
            case "drop" -> FirewallRule.Action.drop;
            default -> throw new QubesValueError("Invalid action: " + action);
        };
        Optional<DstHost> dst = dst(props);
        Optional<FirewallRule.Proto> proto = Optional.ofNullable(props.get("proto")).map(p -> switch (p) {
            case "tcp" -> FirewallRule.Proto.tcp;
            case "udp" -> FirewallRule.Proto.udp;
            case "icmp" -> FirewallRule.Proto.icmp;
            default -> throw new QubesValueError("Invalid protocol: " + p);
        });
        Optional<PortRange> ports = Optional.ofNullable(props.get("dstports")).map(PortRange::parse);
        Optional<Integer> icmp = Optional.ofNullable(props.get("icmptype")).map(t -> {
            if (!t.matches("[0-9]{1,3}")) {
                throw new QubesValueError("Invalid ICMP type: " + t);
            }
            return Integer.parseInt(t);
        });
        String special = props.get("specialtarget");
        if (special != null && !special.equals("dns")) {
            throw new QubesValueError("Invalid special target: " + special);
        }
        Optional<Long> expire = Optional.ofNullable(props.get("expire")).map(e -> {
            if (!e.matches("[0-9]{1,12}")) {
                throw new QubesValueError("Invalid expire time: " + e);
            }
            return Long.parseLong(e);
        });
        return new FirewallRule(act, dst, proto, ports, icmp, special != null, expire,
                Optional.ofNullable(props.get("comment")));
    }

    private static Optional<DstHost> dst(Map<String, String> props) {
        int count = 0;
        DstHost dst = null;
        if (props.containsKey("dst4")) {
            count++;
            String v = props.get("dst4");
            dst = new DstHost(DstHost.Kind.IPV4, v.contains("/") ? v : v + "/32");
        }
        if (props.containsKey("dst6")) {
            count++;
            String v = props.get("dst6");
            dst = new DstHost(DstHost.Kind.IPV6, v.contains("/") ? v : v + "/128");
        }
        for (String key : new String[] {"dsthost", "dstname"}) {
            if (props.containsKey(key)) {
                count++;
                dst = DstHost.parse(props.get(key));
            }
        }
        if (count > 1) {
            throw new QubesValueError("Only one destination allowed per rule");
        }
        return Optional.ofNullable(dst);
    }
}
