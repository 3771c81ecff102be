package org.qubicle.net;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.firewall.FirewallRule;

/**
 * What the network layer needs to know about one networked qube.
 *
 * @param name            the qube's name (Qubes' name rules, at most 31 characters)
 * @param ip              its IPv4 address ({@code ip} property, 10.137.x.y); its clients' gateway if it provides network
 * @param netvm           the qube it gets its network from; empty for sys-net-like qubes
 * @param providesNetwork whether other qubes may use it as their netvm
 * @param firewall        its own firewall rules, enforced by {@code netvm}; first match wins, implicit drop
 * @param gateway         how a net qube forwards its clients' traffic (routed, or a Tor-style gateway)
 * @param uplink          for a net qube without netvm: its link to a real network; empty means none
 */
public record NetworkSpec(String name, Inet4Address ip, Optional<String> netvm, boolean providesNetwork,
        List<FirewallRule> firewall, GatewayMode gateway, Optional<Uplink> uplink) {

    public NetworkSpec {
        Objects.requireNonNull(ip, "ip");
        checkName(name);
        netvm.ifPresent(NetworkSpec::checkName);
        if (netvm.filter(name::equals).isPresent()) {
            throw new QubesValueError("Loops in network are unsupported");
        }
        firewall = List.copyOf(firewall);
        Objects.requireNonNull(gateway, "gateway");
        if (!providesNetwork && (gateway instanceof GatewayMode.Tor || uplink.isPresent())) {
            throw new QubesValueError(name + " does not provide network: no gateway mode or uplink");
        }
        if (uplink.isPresent() && netvm.isPresent()) {
            throw new QubesValueError(name + " has a netvm: an uplink is only for a qube without one");
        }
    }

    /** An app qube behind {@code netvm}, with the default firewall (accept everything). */
    public static NetworkSpec client(String name, String ip, String netvm) {
        return new NetworkSpec(name, Ipv4.parse(ip), Optional.of(netvm), false, List.of(FirewallRule.ACCEPT_ALL),
                GatewayMode.ROUTED, Optional.empty());
    }

    /** A routed net qube (sys-firewall-like) behind {@code netvm}, or sys-net-like if empty. */
    public static NetworkSpec netQube(String name, String ip, Optional<String> netvm) {
        return new NetworkSpec(name, Ipv4.parse(ip), netvm, true, List.of(FirewallRule.ACCEPT_ALL),
                GatewayMode.ROUTED, Optional.empty());
    }

    /**
     * From the model: name, {@code ip}, {@code netvm}, {@code provides_network} and the
     * firewall rules. Gateway mode and uplink are the daemon's settings, not Qubes properties.
     */
    public static NetworkSpec of(Qube qube) {
        String ip = qube.get("ip").text();
        if (ip.isEmpty()) {
            throw new QubesValueError(qube.name() + " has no network");
        }
        return new NetworkSpec(qube.name(), Ipv4.parse(ip), qube.netvm().map(Qube::name), qube.providesNetwork(),
                qube.firewall(), GatewayMode.ROUTED, Optional.empty());
    }

    public NetworkSpec withFirewall(List<FirewallRule> rules) {
        return new NetworkSpec(name, ip, netvm, providesNetwork, rules, gateway, uplink);
    }

    public NetworkSpec withNetvm(Optional<String> newNetvm) {
        return new NetworkSpec(name, ip, newNetvm, providesNetwork, firewall, gateway, uplink);
    }

    public NetworkSpec withGateway(GatewayMode mode) {
        return new NetworkSpec(name, ip, netvm, providesNetwork, firewall, mode, uplink);
    }

    public NetworkSpec withUplink(Uplink link) {
        return new NetworkSpec(name, ip, netvm, providesNetwork, firewall, gateway, Optional.of(link));
    }

    private static void checkName(String n) {
        if (n == null || n.length() > 31 || !n.matches("[a-zA-Z][a-zA-Z0-9_.-]*")) {
            throw new QubesValueError("Invalid qube name: " + n);
        }
    }
}
