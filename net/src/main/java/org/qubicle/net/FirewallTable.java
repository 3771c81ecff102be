package org.qubicle.net;

import java.util.List;
import java.util.Map;

/**
 * The {@code ip qubes-firewall} table of a net qube, after qubes-core-agent-linux
 * {@code qubesagent/firewall.py}: chain {@code forward} (policy drop) accepts replies and
 * traffic not coming from a client, then jumps to {@code qubes-forward}, which sends each
 * client's packets (matched by interface and source) to its chain {@code qbs-<ip>}. Set
 * {@code dns-addr} holds this qube's resolvers for {@code specialtarget=dns}. Chains
 * {@code prerouting} and {@code postrouting} drop client addresses seen on non-client
 * interfaces.
 *
 * <p>The whole table is rebuilt and swapped in one nft transaction, so a client never sees
 * a half-loaded ruleset.
 */
final class FirewallTable {
    /** A client of the net qube: its interface there, its address and its compiled chain. */
    record Client(String vif, String ip, List<CompiledRule> chain) {
    }

    private FirewallTable() {
    }

    static String chainName(String ip) {
        return "qbs-" + ip.replace('.', '-').replace(':', '-');
    }

    static String script(List<Cidr> dns, Map<String, Client> clients) {
        StringBuilder s = new StringBuilder();
        // Create-then-delete makes the delete valid on first load; all in one transaction.
        s.append("table ip qubes-firewall\ndelete table ip qubes-firewall\n");
        s.append("table ip qubes-firewall {\n");
        s.append("  set dns-addr {\n    type ipv4_addr;\n");
        if (!dns.isEmpty()) {
            s.append("    elements = { ").append(BaseRules.hosts(dns)).append(" }\n");
        }
        s.append("  }\n");
        s.append("  chain forward {\n    type filter hook forward priority filter; policy drop;\n");
        s.append("    ct state established,related accept\n    iifgroup != 2 accept\n    jump qubes-forward\n  }\n");
        s.append("  chain qubes-forward {\n");
        clients.values().forEach(c -> s.append("    iifname \"").append(c.vif()).append("\" ip saddr ").append(c.ip())
                .append(" jump ").append(chainName(c.ip())).append('\n'));
        s.append("  }\n");
        for (Client c : clients.values()) {
            s.append("  chain ").append(chainName(c.ip())).append(" {\n");
            c.chain().forEach(r -> s.append("    ").append(r.toNft()).append('\n'));
            s.append("  }\n");
        }
        String addrs = String.join(", ", clients.values().stream().map(Client::ip).toList());
        s.append("  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n");
        if (!clients.isEmpty()) {
            s.append("    iifgroup != 2 ip saddr { ").append(addrs).append(" } drop\n");
        }
        s.append("  }\n  chain postrouting {\n    type filter hook postrouting priority -300; policy accept;\n");
        if (!clients.isEmpty()) {
            s.append("    oifgroup != 2 ip daddr { ").append(addrs).append(" } drop\n");
        }
        s.append("  }\n}\n");
        return s.toString();
    }
}
