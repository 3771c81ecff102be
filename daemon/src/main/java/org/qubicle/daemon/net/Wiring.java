package org.qubicle.daemon.net;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.qubicle.daemon.lifecycle.Pending;
import org.qubicle.driver.QubeSpec;

/**
 * What {@link QubeNetwork#starting} wired.
 *
 * @param netns  the network namespace the qube joins; empty: the driver's own empty one
 * @param dns    the resolvers for the qube's {@code /etc/resolv.conf}; empty: left alone
 * @param linked the qube's links and firewall, made while it starts; {@link Pending#await}
 *               throws the linking's own exception if it failed
 */
public record Wiring(Optional<Path> netns, List<String> dns, Pending<Void> linked) {
    public static final Wiring NONE = new Wiring(Optional.empty(), List.of(), Pending.done(null));

    public Wiring {
        dns = List.copyOf(dns);
    }

    /**
     * The qube's whole spec, wired: with its resolv.conf written into its root (so the
     * storage must be ready) or bound from the runtime dir. The spec's sandbox already joins
     * {@link #netns()}.
     */
    public QubeSpec applyTo(QubeSpec spec) {
        return dns.isEmpty() ? spec : ResolvConf.apply(spec, dns);
    }
}
