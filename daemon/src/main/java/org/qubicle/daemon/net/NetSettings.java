package org.qubicle.daemon.net;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.net.GatewayMode;
import org.qubicle.net.NetworkSpec;
import org.qubicle.net.Uplink;

/**
 * Qubicle's own network settings of a net qube, kept as features (they are not Qubes
 * properties; Qubes' sys-net owns a real network card instead):
 * <ul>
 *   <li>{@code net.gateway}: {@code tor} makes the qube a Tor gateway (TransPort 9040,
 *       DNSPort 5300), {@code tor:TRANSPORT:DNSPORT} with other ports; absent or
 *       {@code routed}: Qubes' routing;</li>
 *   <li>{@code net.uplink}: {@code netns:NAME} links a qube without netvm to the network
 *       namespace {@code /run/netns/NAME} (tests: their "world"); {@code host} to the host's
 *       network, which the daemon refuses unless its configuration allows it;</li>
 *   <li>{@code net.uplink-address} ({@code A.B.C.D/PREFIX}, default {@code 100.64.0.2/30}),
 *       {@code net.uplink-gateway} (default: the first other address of that subnet, e.g.
 *       {@code 100.64.0.1}) and {@code net.uplink-dns} (space-separated resolvers; for
 *       {@code host} the host's /etc/resolv.conf by default).</li>
 * </ul>
 */
final class NetSettings {
    static final String GATEWAY = "net.gateway";
    static final String UPLINK = "net.uplink";

    private NetSettings() {
    }

    /** The library's spec of {@code q} with address {@code ip}, gateway mode and uplink from its features. */
    static NetworkSpec spec(Qube q, String ip) {
        NetworkSpec base = new NetworkSpec(q.name(), address(ip),
                q.netvm().map(Qube::name), q.providesNetwork(), q.firewall(), GatewayMode.ROUTED, Optional.empty());
        if (!q.providesNetwork()) {
            return base;
        }
        base = base.withGateway(gateway(q.features().find(GATEWAY).orElse("")));
        if (q.netvm().isEmpty()) {
            Optional<Uplink> u = uplink(q);
            if (u.isPresent()) {
                base = base.withUplink(u.get());
            }
        }
        return base;
    }

    static java.net.Inet4Address address(String ip) {
        if (!ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new QubesValueError("Invalid IPv4 address: " + ip);
        }
        try {
            // A literal address: no name lookup happens.
            return (java.net.Inet4Address) java.net.InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException | ClassCastException e) {
            throw new QubesValueError("Invalid IPv4 address: " + ip);
        }
    }

    static GatewayMode gateway(String untrusted) {
        if (untrusted.isEmpty() || untrusted.equals("routed")) {
            return GatewayMode.ROUTED;
        }
        if (untrusted.equals("tor")) {
            return GatewayMode.Tor.defaults();
        }
        String[] f = untrusted.split(":");
        if (f.length == 3 && f[0].equals("tor") && f[1].matches("[0-9]{1,5}") && f[2].matches("[0-9]{1,5}")) {
            return new GatewayMode.Tor(Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        }
        throw new QubesValueError("Invalid net.gateway: expected routed, tor or tor:TRANSPORT:DNSPORT");
    }

    static Optional<Uplink> uplink(Qube q) {
        String kind = q.features().find(UPLINK).orElse("");
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        String cidr = q.features().find("net.uplink-address").orElse("100.64.0.2/30");
        String[] a = cidr.split("/", 2);
        if (a.length != 2 || !a[1].matches("[0-9]{1,2}")) {
            throw new QubesValueError("Invalid net.uplink-address: expected A.B.C.D/PREFIX");
        }
        int prefix = Integer.parseInt(a[1]);
        String gw = q.features().find("net.uplink-gateway").orElseGet(() -> firstOther(a[0], prefix));
        Optional<String> dns = q.features().find("net.uplink-dns");
        if (kind.equals("host")) {
            List<String> resolvers = dns.map(NetSettings::words)
                    .orElseGet(() -> Uplink.hostResolvers(Path.of("/etc/resolv.conf")));
            return Optional.of(Uplink.toHost(a[0], gw, prefix, resolvers));
        }
        if (kind.startsWith("netns:") && kind.substring(6).matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            return Optional.of(Uplink.toNamespace(Path.of("/run/netns", kind.substring(6)), a[0], gw, prefix,
                    dns.map(NetSettings::words).orElse(List.of())));
        }
        throw new QubesValueError("Invalid net.uplink: expected netns:NAME or host");
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).limit(3).toList();
    }

    /** The lowest host address of the subnet that is not {@code ip}. */
    private static String firstOther(String ip, int prefix) {
        String[] o = ip.split("\\.");
        if (o.length != 4 || prefix < 8 || prefix > 30) {
            throw new QubesValueError("Invalid net.uplink-address: expected A.B.C.D/PREFIX");
        }
        long v = 0;
        for (String x : o) {
            v = v << 8 | Integer.parseInt(x);
        }
        long mask = 0xffffffffL << (32 - prefix) & 0xffffffffL;
        long first = (v & mask) + 1;
        long pick = first == v ? first + 1 : first;
        return (pick >> 24 & 255) + "." + (pick >> 16 & 255) + "." + (pick >> 8 & 255) + "." + (pick & 255);
    }
}
