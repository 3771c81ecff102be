package org.qubicle.model;

import static org.qubicle.model.property.Property.Flag.READ_ONLY;
import static org.qubicle.model.property.PropertyType.STR;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.qubicle.model.property.Property;
import org.qubicle.model.property.Property.Validator;

/**
 * Addresses of a networked qube ({@code specs/qubes-model.md} section 10.2): the IP comes
 * from the qid (10.137.x.y) or, for disposables, from the dispid (10.138.x.y), whatever the
 * netvm; the netvm's own IP is its clients' gateway; netmasks are /32.
 */
final class NetworkProperties {
    static final String DNS = "10.139.1.1 10.139.1.2";

    private NetworkProperties() {
    }

    static void add(Map<String, Property<Qube>> t, QubeClass c) {
        QubeProperties.add(t, "ip", STR, "IP address of this domain.", Set.of(), NetworkProperties::defaultIp, NetworkProperties::checkIp);
        QubeProperties.add(t, "ip6", STR, "IPv6 address of this domain.", Set.of(), NetworkProperties::defaultIp6, Validator.none());
        QubeProperties.add(t, "visible_ip", STR, "IP address of this domain as seen by the domain.", Set.of(READ_ONLY),
                q -> q.features().checkWithTemplate("net.fake-ip").or(() -> q.effective("ip")), Validator.none());
        QubeProperties.add(t, "visible_ip6", STR, "IPv6 address of this domain as seen by the domain.", Set.of(READ_ONLY),
                q -> q.effective("ip6"), Validator.none());
        QubeProperties.add(t, "visible_netmask", STR, "Netmask as seen by the domain.", Set.of(READ_ONLY),
                q -> networked(q) ? Optional.of(q.features().checkWithTemplate("net.fake-netmask").orElse("255.255.255.255"))
                        : Optional.empty(), Validator.none());
        QubeProperties.add(t, "gateway", STR, "Gateway for other domains that use this domain as netvm.", Set.of(READ_ONLY),
                q -> q.providesNetwork() ? q.effective("visible_ip") : Optional.empty(), Validator.none());
        QubeProperties.add(t, "gateway6", STR, "Gateway (IPv6) for other domains that use this domain as netvm.", Set.of(READ_ONLY),
                q -> q.providesNetwork() ? q.effective("visible_ip6") : Optional.empty(), Validator.none());
        QubeProperties.add(t, "visible_gateway", STR, "Default gateway of this domain.", Set.of(READ_ONLY),
                q -> q.features().checkWithTemplate("net.fake-gateway")
                        .or(() -> q.netvm().flatMap(n -> n.effective("gateway"))), Validator.none());
        QubeProperties.add(t, "visible_gateway6", STR, "Default (IPv6) gateway of this domain.", Set.of(READ_ONLY),
                q -> q.netvm().flatMap(n -> n.effective("gateway6")), Validator.none());
        QubeProperties.add(t, "dns", STR, "DNS servers set up for this domain.", Set.of(READ_ONLY),
                q -> networked(q) ? Optional.of(DNS) : Optional.empty(), Validator.none());
    }

    static boolean networked(Qube q) {
        return q.providesNetwork() || q.netvm().isPresent();
    }

    /** Qubes' address function: {@code P.0.v} below 255, else spread to avoid .0 and .255. */
    static String address(String prefix, long v) {
        if (v < 255) {
            return prefix + ".0." + v;
        }
        long w = v - 1;
        return prefix + "." + (w / 254) + "." + (w % 254 + 1);
    }

    private static Optional<String> defaultIp(Qube q) {
        if (!networked(q)) {
            return Optional.empty();
        }
        if (q.klass() == QubeClass.DISP_VM && q.isSet("dispid")) {
            return Optional.of(address("10.138", q.intProperty("dispid")));
        }
        return Optional.of(address("10.137", q.qid()));
    }

    private static Optional<String> defaultIp6(Qube q) {
        if (!networked(q) || q.features().checkWithNetvm("ipv6").filter(v -> !v.isEmpty()).isEmpty()) {
            return Optional.empty();
        }
        boolean disp = q.klass() == QubeClass.DISP_VM && q.isSet("dispid");
        long id = disp ? q.intProperty("dispid") : q.qid();
        return Optional.of("fd09:24ef:4179::" + (disp ? "a8a:" : "a89:") + Long.toHexString(id));
    }

    private static String checkIp(Qube q, String v) {
        if (v.isEmpty()) {
            return v;
        }
        String[] o = v.split("\\.", -1);
        boolean ok = o.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = o[i].matches("[0-9]{1,3}") && Integer.parseInt(o[i]) < 256;
        }
        if (!ok) {
            throw new org.qubicle.model.exc.QubesValueError("Invalid IPv4 address: " + v);
        }
        return v;
    }
}
