package org.qubicle.net;

import org.qubicle.model.exc.QubesValueError;

/**
 * How a net qube handles its clients' traffic.
 * <ul>
 *   <li>{@link Routed}: Qubes' sys-net/sys-firewall: route, masquerade, per-client firewall.</li>
 *   <li>{@link Tor}: a sys-whonix-like gateway. Every TCP connection from a client is redirected to
 *       {@code transPort} on the gateway and DNS to {@code dnsPort}; everything else is dropped.
 *       Nothing is forwarded, so if no Tor process listens there, nothing gets out (fail closed).</li>
 * </ul>
 */
public sealed interface GatewayMode {
    GatewayMode ROUTED = new Routed();

    /** Route and masquerade, as Qubes' net qubes do. */
    record Routed() implements GatewayMode {
    }

    /** A transparent-proxy gateway: Tor's TransPort and DNSPort on the gateway itself. */
    record Tor(int transPort, int dnsPort) implements GatewayMode {
        public Tor {
            if (transPort < 1 || transPort > 65535 || dnsPort < 1 || dnsPort > 65535) {
                throw new QubesValueError("Invalid Tor port");
            }
        }

        /** Whonix's defaults: TransPort 9040, DNSPort 53 (here 5300, as the gateway's 53 is not Tor's). */
        public static Tor defaults() {
            return new Tor(9040, 5300);
        }
    }
}
