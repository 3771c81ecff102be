package org.qubicle.net;

/**
 * Namespaces ({@link NetNs}, without a process) and veth links (iproute2). Names: the qube's namespace is
 * {@code qubicle-<instance>-<qube>}; its link to its netvm is {@code eth0} inside it and
 * {@code vif<n>} in the netvm (group 2); a net qube's uplink is {@code eth0} (group 1).
 * Addressing follows Qubes' {@code vif-route-qubes} and {@code setup-ip}: the client has
 * its address /32 and an on-link default route via the netvm's address; the netvm has a
 * /32 route to the client through the vif, proxy ARP on it, and a permanent neighbour
 * entry for the client's MAC.
 */
final class Links {
    private Links() {
    }

    /**
     * Any user may ping (ICMP echo sockets, as iputils' ping uses): a qube's root has no raw
     * socket in a namespace the host owns, and Qubes users can ping.
     */
    /** Every qube's MAC, as Qubes' {@code mac} property default: each link is point-to-point. */
    static final String MAC = "00:16:3e:5e:6c:00";

    private static final String PING_GROUPS = "net.ipv4.ping_group_range=0 2147483647";

    static void createNs(String ns, boolean forwards) {
        // IPv4 only: a qube must not reach anything over IPv6 link-local addresses. A net
        // qube's client links (vif*) are made later and inherit proxy ARP from "default".
        NetNs.create(ns, () -> {
            NetCalls.linkUp("lo");
            NetNs.sysctl(baseSysctls(forwards));
        });
    }

    private static String[] baseSysctls(boolean forwards) {
        return new String[] {"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                "net.ipv4.ip_forward=" + (forwards ? 1 : 0), "net.ipv4.conf.default.proxy_arp=" + (forwards ? 1 : 0),
                PING_GROUPS};
    }

    /**
     * Brings a namespace an earlier run made back to what {@link #createNs} leaves: every
     * interface but {@code lo} deleted (a veth's peer goes with it), the nft ruleset flushed.
     */
    static void reset(String ns, boolean forwards) {
        for (String line : Cmd.run(null, "ip", "-n", ns, "-o", "link", "show").lines().toList()) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            String name = f[1].strip().split("@")[0];
            if (!name.equals("lo")) {
                Cmd.exec(null, "ip", "-n", ns, "link", "del", name);
            }
        }
        Cmd.inNs(ns, null, "nft", "flush", "ruleset");
        NetNs.in(ns, () -> {
            NetCalls.linkUp("lo");
            NetNs.sysctl(baseSysctls(forwards));
            return null;
        });
    }

    static void deleteNs(String ns) {
        NetNs.delete(ns);
    }

    static boolean nsExists(String ns) {
        return java.nio.file.Files.exists(NetNs.RUN_NETNS.resolve(ns));
    }

    /**
     * Links {@code clientNs} to {@code netvmNs}: creates the pair from the netvm's side, so
     * the two ends are born in their namespaces and never appear in the host's.
     */
    static void link(String netvmNs, String vif, String netvmIp, String clientNs, String clientIp, boolean clientIsNetQube) {
        // Two ip runs: the veth and the netvm's side in one batch, then the client's side.
        Cmd.run("link add " + vif + " type veth peer name eth0 address " + MAC + " netns " + clientNs + "\n"
                + "link set " + vif + " group 2 up\n"
                // The netvm's own address on each vif: its clients' gateway answers ARP there.
                + "addr add " + netvmIp + "/32 dev " + vif + " noprefixroute\n"
                + "route add " + clientIp + "/32 dev " + vif + " scope link src " + netvmIp + "\n"
                + "neigh replace " + clientIp + " lladdr " + MAC + " dev " + vif + " nud permanent\n",
                "ip", "-n", netvmNs, "-batch", "-");
        Cmd.run("link set eth0 up" + (clientIsNetQube ? " group 1" : "") + "\n"
                + "addr add " + clientIp + "/32 dev eth0\n"
                + "route add " + netvmIp + "/32 dev eth0 scope link\n"
                + "route add default via " + netvmIp + " dev eth0 onlink\n",
                "ip", "-n", clientNs, "-batch", "-");
        if (clientIsNetQube) {
            // Its clients' links inherit proxy ARP from "default"; its own link needs none.
            sysctl(clientNs, "net.ipv4.conf.eth0.proxy_arp=0");
        }
    }

    static void unlink(String netvmNs, String vif) {
        Cmd.exec(null, "ip", "-n", netvmNs, "link", "del", vif);
    }

    /** The uplink of a sys-net-like qube: eth0 (group 1) to the peer namespace or the host. */
    static void uplink(String ns, String peerIf, Uplink u) {
        String peerNs = u.peerNetns().map(p -> p.getFileName().toString()).orElse(null);
        if (peerNs != null) {
            Cmd.run(null, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", peerIf, "netns", peerNs);
        } else {
            Cmd.run(null, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", peerIf, "netns", "1");
        }
        sysctl(ns, "net.ipv4.conf.eth0.proxy_arp=0");
        Cmd.run("link set eth0 group 1 up\naddr add " + Ipv4.text(u.address()) + "/" + u.prefix() + " dev eth0\n"
                + "route add default via " + Ipv4.text(u.peer()) + " dev eth0\n", "ip", "-n", ns, "-batch", "-");
        String[] peerIp = peerNs == null ? new String[] {"ip"} : new String[] {"ip", "-n", peerNs};
        Cmd.run("addr add " + Ipv4.text(u.peer()) + "/" + u.prefix() + " dev " + peerIf + "\nlink set " + peerIf + " up\n",
                concat(peerIp, "-batch", "-"));
    }

    static void sysctl(String ns, String... settings) {
        NetNs.in(ns, () -> {
            NetNs.sysctl(settings);
            return null;
        });
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
