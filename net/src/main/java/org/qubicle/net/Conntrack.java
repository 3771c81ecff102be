package org.qubicle.net;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts live connections that a client's new firewall no longer allows, as
 * {@code qubesagent/firewall.py} does after applying: the flows from the client are listed
 * in its netvm's namespace and each one that the new chain would reject is deleted. The
 * next packet of such a connection is then new to conntrack and meets the reject.
 *
 * <p>A flow is judged by what the forward chain saw: the destination after DNAT, which is
 * the reply tuple's source (so DNS sent to 10.139.1.1 counts as going to the real resolver).
 */
final class Conntrack {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Conntrack.class.getName());

    private static final int MAX_FLOWS = 65_536;

    private Conntrack() {
    }

    /** One conntrack entry: the original tuple (to delete it) and the flow as the firewall saw it. */
    record Entry(String proto, String src, String dst, int sport, int dport, CompiledRule.Flow flow) {
    }

    /** Deletes the client's flows that {@code chain} rejects; returns how many were cut. */
    static int cut(String ns, String clientIp, List<CompiledRule> chain) {
        Cmd.Result r = Cmd.execInNs(ns, null, "conntrack", "-L", "-s", clientIp);
        if (!r.ok()) {
            throw new NetException("conntrack -L failed: " + r.err().strip());
        }
        StringBuilder batch = new StringBuilder();
        int cut = 0;
        for (Entry e : parse(r.out())) {
            if (!e.src().equals(clientIp) || FirewallCompiler.allows(chain, e.flow())) {
                continue;
            }
            batch.append("-D -p ").append(e.proto()).append(" -s ").append(e.src()).append(" -d ").append(e.dst());
            if (e.sport() >= 0) {
                batch.append(" --sport ").append(e.sport()).append(" --dport ").append(e.dport());
            }
            batch.append('\n');
            cut++;
        }
        if (cut > 0) {
            // One run for all deletions (conntrack -R reads commands); a flow may have ended
            // meanwhile, which is not an error.
            Cmd.execInNs(ns, batch.toString(), "conntrack", "-R", "-");
        }
        return cut;
    }

    /**
     * Deletes every flow from or to {@code ip} (a link going away or coming up).
     *
     * @return false if conntrack could not be run (as before: the link is made anyway)
     */
    static boolean purge(String ns, String ip) {
        // Both directions from one thread in the namespace; ip is a validated dotted quad.
        // Nothing to delete is fine (conntrack then exits 1).
        try {
            NetNs.in(ns, () -> {
                Cmd.exec(null, "conntrack", "-D", "-s", ip);
                Cmd.exec(null, "conntrack", "-D", "-d", ip);
                return null;
            });
            return true;
        } catch (NetException e) {
            LOG.warning("flows of " + ip + " not purged in " + ns + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Parses {@code conntrack -L} lines such as
     * {@code tcp 6 431999 ESTABLISHED src=A dst=B sport=1 dport=80 src=B dst=C sport=80 dport=1 [ASSURED] ...}.
     * The first {@code src/dst/sport/dport/type} belong to the original tuple, the second to the reply.
     */
    static List<Entry> parse(String untrustedOutput) {
        List<Entry> out = new ArrayList<>();
        for (String line : untrustedOutput.split("\n")) {
            if (out.size() >= MAX_FLOWS) {
                break;
            }
            String[] tok = line.trim().split("\\s+");
            if (tok.length < 3 || !tok[0].matches("tcp|udp|icmp")) {
                continue;
            }
            if (tok[0].equals("tcp") && tok.length > 3 && tok[3].matches("CLOSE|TIME_WAIT")) {
                continue; // nothing flows there any more
            }
            Map<String, String> orig = new HashMap<>();
            Map<String, String> reply = new HashMap<>();
            for (String t : tok) {
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String k = t.substring(0, eq);
                Map<String, String> into = orig.containsKey(k) ? reply : orig;
                into.putIfAbsent(k, t.substring(eq + 1));
            }
            try {
                String src = orig.get("src");
                String dst = orig.get("dst");
                String effDst = reply.getOrDefault("src", dst);
                if (src == null || dst == null || effDst == null) {
                    continue;
                }
                Ipv4.parse(src);
                Ipv4.parse(dst);
                int sport = intOr(orig.get("sport"));
                int dport = intOr(orig.get("dport"));
                int effPort = reply.containsKey("sport") ? intOr(reply.get("sport")) : dport;
                int type = intOr(orig.get("type"));
                out.add(new Entry(tok[0], src, dst, sport, dport,
                        new CompiledRule.Flow(tok[0], Ipv4.bits(Ipv4.parse(effDst)), effPort, type)));
            } catch (RuntimeException skipped) {
                // An IPv6 flow or a line we do not understand: not ours to judge.
            }
        }
        return out;
    }

    private static int intOr(String v) {
        return v == null ? -1 : Integer.parseInt(v);
    }
}
