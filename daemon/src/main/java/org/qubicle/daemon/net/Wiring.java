package org.qubicle.daemon.net;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.qubicle.driver.QubeSpec;

/**
 * What {@link QubeNetwork#starting} wired.
 *
 * @param netns  the network namespace the qube joins; empty: the driver's own empty one
 * @param dns    the resolvers for the qube's {@code /etc/resolv.conf}; empty: left alone
 * @param linked completes once the qube's links and firewall are made (they are made
 *               while the qube starts); exceptionally if that failed
 */
public record Wiring(Optional<Path> netns, List<String> dns, CompletableFuture<Void> linked) {
    public static final Wiring NONE = new Wiring(Optional.empty(), List.of(), CompletableFuture.completedFuture(null));

    public Wiring {
        dns = List.copyOf(dns);
    }

    /**
     * The qube's whole spec, wired: joining {@link #netns()}, with its resolv.conf
     * written into its root (so the storage must be ready) or bound from the runtime dir.
     */
    public QubeSpec applyTo(QubeSpec spec) {
        QubeSpec s = netns.isPresent() ? spec.withNetns(netns.get()) : spec;
        return dns.isEmpty() ? s : ResolvConf.apply(s, dns);
    }

    /** Waits for the links; throws the linking's own exception if it failed. */
    public void awaitLinked() {
        try {
            linked.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Waits for the linking to end, however it ends (before the network is torn down). */
    public void settle() {
        try {
            linked.join();
        } catch (RuntimeException e) {
            // reported by whoever awaited it
        }
    }
}
