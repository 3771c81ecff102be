package org.qubicle.net;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code ip qubes} table of a net qube, after qubes-core-agent-linux
 * {@code network/qubes-ipv4.nft}, {@code qubes-antispoof.nft} and {@code qubes-setup-dnat-to-ns}.
 * Client links ({@code vif*}) are in interface group 2, the uplink in group 1.
 * <ul>
 *   <li>{@code antispoof} (raw prerouting): from group 2 only (interface, source) pairs in set
 *       {@code allowed}; a client address ({@code downstream}) arriving elsewhere is dropped.</li>
 *   <li>{@code dnat-dns} (dstnat prerouting): udp/tcp 53 to 10.139.1.1/.2 go to this qube's own
 *       resolvers, paired round-robin; dropped when it has none. A Tor gateway redirects them
 *       to its DNSPort and every client TCP connection to its TransPort instead.</li>
 *   <li>{@code postrouting}: masquerade all but what goes to clients or lo.</li>
 *   <li>{@code input}: clients may only ping the net qube; anything else is rejected
 *       host-prohibited (a Tor gateway also accepts its two ports).</li>
 *   <li>{@code forward}: nothing goes out to group 2, so client-to-client traffic is
 *       dropped unless the user opens it in {@code custom-forward}; a Tor gateway forwards
 *       nothing from clients at all.</li>
 * </ul>
 * Rules are written one per line: nft 1.0 wants a newline or ';' before a closing brace.
 */
final class BaseRules {
    static final List<String> VIRTUAL_DNS = List.of("10.139.1.1", "10.139.1.2");

    private BaseRules() {
    }

    static String script(GatewayMode mode, List<Cidr> resolvers) {
        StringBuilder s = new StringBuilder();
        s.append("table ip qubes {\n");
        s.append("  set downstream { type ipv4_addr; }\n");
        s.append("  set allowed { type ifname . ipv4_addr; }\n");
        s.append("  chain antispoof {\n    type filter hook prerouting priority raw; policy accept;\n");
        s.append("    iifgroup 2 iifname . ip saddr @allowed accept\n");
        s.append("    iifgroup 2 counter drop\n");
        s.append("    ip saddr @downstream counter drop\n  }\n");
        s.append("  chain dnat-dns {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        switch (mode) {
            case GatewayMode.Routed r -> s.append(dnatDns(resolvers));
            case GatewayMode.Tor t -> {
                s.append("    iifgroup 2 ip daddr { ").append(String.join(", ", VIRTUAL_DNS))
                        .append(" } meta l4proto { tcp, udp } th dport 53 redirect to :").append(t.dnsPort()).append('\n');
                s.append("    iifgroup 2 meta l4proto tcp redirect to :").append(t.transPort()).append('\n');
            }
        }
        s.append("  }\n");
        s.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        s.append("    oifgroup 2 accept\n    oif lo accept\n    masquerade\n  }\n");
        s.append("  chain input {\n    type filter hook input priority filter; policy drop;\n");
        s.append("    jump custom-input\n    ct state invalid counter drop\n");
        s.append("    iifgroup 2 udp dport 68 counter drop\n    ct state established,related accept\n");
        s.append("    iifgroup 2 meta l4proto icmp accept\n    iif lo accept\n");
        if (mode instanceof GatewayMode.Tor t) {
            s.append("    iifgroup 2 tcp dport ").append(t.transPort()).append(" accept\n");
            s.append("    iifgroup 2 meta l4proto { tcp, udp } th dport ").append(t.dnsPort()).append(" accept\n");
        }
        s.append("    iifgroup 2 counter reject with icmp type host-prohibited\n    counter\n  }\n");
        s.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        s.append("    jump custom-forward\n    ct state invalid counter drop\n");
        if (mode instanceof GatewayMode.Tor) {
            // Fail closed: a client's packet is either redirected to the gateway or dropped.
            s.append("    iifgroup 2 counter drop\n");
        }
        s.append("    ct state established,related accept\n    oifgroup 2 counter drop\n  }\n");
        s.append("  chain custom-input {\n  }\n  chain custom-forward {\n  }\n}\n");
        return s.toString();
    }

    /** The body of chain {@code dnat-dns} for routed mode; replaced alone when resolvers change. */
    static String dnatDns(List<Cidr> resolvers) {
        StringBuilder s = new StringBuilder();
        if (resolvers.isEmpty()) {
            s.append("    ip daddr { ").append(String.join(", ", VIRTUAL_DNS))
                    .append(" } meta l4proto { tcp, udp } th dport 53 drop\n");
            return s.toString();
        }
        for (int i = 0; i < VIRTUAL_DNS.size(); i++) {
            String target = host(resolvers.get(i % resolvers.size()));
            for (String proto : List.of("udp", "tcp")) {
                s.append("    ip daddr ").append(VIRTUAL_DNS.get(i)).append(' ').append(proto)
                        .append(" dport 53 dnat to ").append(target).append('\n');
            }
        }
        return s.toString();
    }

    static String addClient(String vif, String ip) {
        return "add element ip qubes allowed { \"" + vif + "\" . " + ip + " }\n"
                + "add element ip qubes downstream { " + ip + " }\n";
    }

    static String removeClient(String vif, String ip) {
        return "delete element ip qubes allowed { \"" + vif + "\" . " + ip + " }\n"
                + "delete element ip qubes downstream { " + ip + " }\n";
    }

    static String host(Cidr c) {
        String t = c.toString();
        return t.substring(0, t.indexOf('/'));
    }

    static String hosts(List<Cidr> cs) {
        return cs.stream().map(BaseRules::host).collect(Collectors.joining(", "));
    }
}
