package org.qubicle.net;

import java.util.List;
import java.util.concurrent.ScheduledFuture;

/** What {@link Network} keeps about one attached qube. Guarded by the Network's lock. */
final class Node {
    NetworkSpec spec;
    final String ns;
    /** Its interface in its netvm's namespace, or null while it has no link. */
    String vif;
    /** The netvm it is linked to now, or null. */
    String linkedTo;
    /** Its compiled chain, as loaded in its netvm. */
    List<CompiledRule> chain = FirewallCompiler.failClosed();
    /** For a net qube: the resolvers its dnat-dns chain targets. */
    List<Cidr> resolvers = List.of();
    /** For a net qube with an uplink: the far end's interface name. */
    String uplinkIf;
    ScheduledFuture<?> expiryTask;
    /** Its namespace is made, its links and firewall not yet (Network#completeAttach). */
    boolean pending;
    /**
     * For a net qube: client addresses whose flows this run purged from it when their link
     * went ({@code unlink}); a new link of such an address needs no purge. Empty after a
     * restart, so a link made then purges.
     */
    final java.util.Set<String> purged = new java.util.HashSet<>();

    Node(NetworkSpec spec, String ns) {
        this.spec = spec;
        this.ns = ns;
    }

    String name() {
        return spec.name();
    }

    String ip() {
        return Ipv4.text(spec.ip());
    }
}
