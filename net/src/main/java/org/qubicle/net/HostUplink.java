package org.qubicle.net;

/**
 * The host's side of an {@link Uplink#toHost host uplink}: table {@code ip qubicle-<instance>-uplink}
 * masquerades what the qube sends out of the link's subnet and lets it be forwarded, and the
 * host's IPv4 forwarding is turned on (it is global, so it stays on when the link goes).
 * Used only when the user allowed it; never in tests.
 */
final class HostUplink {
    private HostUplink() {
    }

    static String table(String instance) {
        return "qubicle-" + instance + "-uplink";
    }

    static String script(String instance, String peerIf, Uplink u) {
        String net = new Cidr(Ipv4.bits(u.address()), u.prefix()).toString();
        String t = table(instance);
        return "table ip " + t + " {\n"
                + "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip saddr " + net + " oifname != \"" + peerIf + "\" masquerade\n  }\n"
                + "  chain forward {\n    type filter hook forward priority filter; policy accept;\n"
                + "    iifname \"" + peerIf + "\" accept\n"
                + "    oifname \"" + peerIf + "\" ct state established,related accept\n"
                + "    oifname \"" + peerIf + "\" drop\n  }\n}\n";
    }

    static void up(String instance, String ns, String peerIf, Uplink u) {
        Links.uplink(ns, peerIf, u);
        Cmd.run(script(instance, peerIf, u), "nft", "-f", "-");
        Cmd.run(null, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    static void down(String instance, String peerIf) {
        Cmd.exec(null, "ip", "link", "del", peerIf);
        Cmd.exec(null, "nft", "delete", "table", "ip", table(instance));
    }
}
