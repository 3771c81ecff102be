package org.qubicle.net;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.qubicle.model.exc.QubesValueError;

/**
 * The link of a sys-net-like qube to a real network: a veth pair from the qube's namespace
 * ({@code eth0}, interface group 1, default route via {@code peer}) to another namespace.
 * <ul>
 *   <li>{@link #toNamespace}: the peer end goes into a namespace the caller made (tests use a
 *       "world" namespace; nothing leaves the machine).</li>
 *   <li>{@link #toHost}: the peer end stays in the host's namespace, which masquerades the
 *       link's subnet and forwards. This sends qubes' traffic to the real network, so the
 *       daemon offers it only as the user's explicit setting, OFF by default
 *       ({@link NetworkConfig#hostUplinkAllowed()}).</li>
 * </ul>
 *
 * @param peerNetns the namespace of the far end (a path such as /run/netns/world); empty = the host
 * @param address   the net qube's address on the link
 * @param peer      the far end's address: the net qube's default gateway
 * @param prefix    the link's prefix length (for example 30)
 * @param resolvers the real DNS resolvers the net qube forwards 10.139.1.1 and .2 to
 */
public record Uplink(Optional<Path> peerNetns, Inet4Address address, Inet4Address peer, int prefix,
        List<Inet4Address> resolvers) {
    public Uplink {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(peer, "peer");
        if (prefix < 8 || prefix > 30) {
            throw new QubesValueError("Uplink prefix must be between 8 and 30");
        }
        if (!new Cidr(Ipv4.bits(address), prefix).contains(Ipv4.bits(peer)) || address.equals(peer)) {
            throw new QubesValueError("Uplink peer must be another address on the same link");
        }
        peerNetns.ifPresent(p -> {
            if (!p.isAbsolute()) {
                throw new QubesValueError("Uplink namespace must be an absolute path");
            }
        });
        resolvers = List.copyOf(resolvers);
    }

    public static Uplink toNamespace(Path netns, String address, String peer, int prefix, List<String> resolvers) {
        return new Uplink(Optional.of(netns), Ipv4.parse(address), Ipv4.parse(peer), prefix,
                resolvers.stream().map(Ipv4::parse).toList());
    }

    /**
     * The host's IPv4 resolvers from a resolv.conf, for a host uplink. Loopback ones (such as
     * systemd-resolved's 127.0.0.53) are left out: they are unreachable from a namespace.
     */
    public static List<String> hostResolvers(Path resolvConf) {
        try {
            return java.nio.file.Files.readAllLines(resolvConf).stream().limit(1000).map(String::strip)
                    .filter(l -> l.startsWith("nameserver")).map(l -> l.substring("nameserver".length()).strip())
                    .filter(a -> a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") && !a.startsWith("127."))
                    .limit(3).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    public static Uplink toHost(String address, String peer, int prefix, List<String> resolvers) {
        return new Uplink(Optional.empty(), Ipv4.parse(address), Ipv4.parse(peer), prefix,
                resolvers.stream().map(Ipv4::parse).toList());
    }
}
