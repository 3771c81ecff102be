package org.qubicle.net;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMNotRunningError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.firewall.FirewallRule;

/**
 * Network qubes as Linux network namespaces: the service the daemon calls when qubes start,
 * stop, change netvm or change firewall. See {@code package-info} for the layout.
 *
 * <pre>{@code
 * try (Network net = Network.open(NetworkConfig.forRoot(root))) {
 *     net.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()).withUplink(uplink));
 *     net.attach(NetworkSpec.netQube("sys-firewall", "10.137.0.3", Optional.of("sys-net")));
 *     Attachment work = net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-firewall"));
 *     driver.start(spec);                // spec.netns() = work.netnsPath(): the qube's processes join it
 *     net.applyFirewall("work", rules);                         // admin.vm.firewall.Set
 * }
 * }</pre>
 *
 * All methods are thread-safe (one lock: changes are rare and each is a few tool runs).
 */
public final class Network implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Network.class.getName());
    private static final Path RUN_NETNS = Path.of("/run/netns");

    private final NetworkConfig config;
    private final InstantSource clock;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private int vifCounter;
    private boolean closed;

    private Network(NetworkConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("net-firewall-expiry").factory());
    }

    public static Network open(NetworkConfig config) {
        return open(config, InstantSource.system());
    }

    /** With a clock for rule expiry (tests and the daemon's own clock). */
    public static Network open(NetworkConfig config, InstantSource clock) {
        return new Network(config, clock);
    }

    public NetworkConfig config() {
        return config;
    }

    /**
     * Gives a starting qube its namespace and, if it has a netvm, its link there and its
     * firewall in the netvm. The netvm must be attached first (Qubes starts the netvm chain
     * first). A net qube gets its base rules, DNS redirection and uplink, and takes back the
     * running clients that lost their link when it stopped.
     *
     * @throws QubesVMNotRunningError if the netvm is not attached
     * @throws QubesValueError        if already attached, or a host uplink is not allowed
     * @throws NetException           if a host tool fails; nothing of the qube is left then
     */
    public synchronized Attachment attach(NetworkSpec spec) {
        attachNamespace(spec);
        return completeAttach(spec.name());
    }

    /**
     * The first half of {@link #attach}: the qube's namespace alone (with only {@code lo}), so
     * that its sandbox can start in it while {@link #completeAttach} makes its links and
     * firewall. The returned attachment has no gateway yet. Until completed, the qube is
     * attached without a link; {@link #detach} undoes either half.
     */
    public synchronized Attachment attachNamespace(NetworkSpec spec) {
        checkOpen();
        if (nodes.containsKey(spec.name())) {
            throw new QubesValueError(spec.name() + " is already attached to the network");
        }
        if (nodes.values().stream().anyMatch(n -> n.spec.ip().equals(spec.ip()))) {
            throw new QubesValueError("IP address " + Ipv4.text(spec.ip()) + " is already in use");
        }
        spec.netvm().ifPresent(this::netvmNode); // it must be attached
        spec.uplink().ifPresent(u -> checkUplink(spec.name(), u));
        String ns = config.nsPrefix() + spec.name();
        if (Links.nsExists(ns)) {
            throw new NetException("network namespace " + ns + " exists already");
        }
        Node node = new Node(spec, ns);
        Links.createNs(ns, spec.providesNetwork());
        nodes.put(spec.name(), node);
        node.pending = true;
        return attachment(node);
    }

    /**
     * The second half of {@link #attach}: a net qube's own set-up, the link to its netvm with
     * its firewall, and (for a net qube) the links of its waiting clients. On failure the
     * qube is detached (its namespace goes) and the error thrown.
     */
    public synchronized Attachment completeAttach(String name) {
        checkOpen();
        Node node = node(name);
        if (!node.pending) {
            throw new QubesValueError(name + " is already linked");
        }
        try {
            Node netvm = node.spec.netvm().map(this::netvmNode).orElse(null);
            if (node.spec.providesNetwork()) {
                setUpNetQube(node);
            }
            if (netvm != null) {
                linkTo(node, netvm);
            }
            node.pending = false;
        } catch (RuntimeException e) {
            try {
                teardown(node);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        relinkOrphans(node);
        return attachment(node);
    }

    /** A net qube just attached takes back the running clients that lost their link. */
    private void relinkOrphans(Node node) {
        if (!node.spec.providesNetwork()) {
            return;
        }
        for (Node orphan : List.copyOf(nodes.values())) {
            if (orphan.linkedTo == null && orphan != node && !orphan.pending
                    && orphan.spec.netvm().filter(node.name()::equals).isPresent()) {
                linkTo(orphan, node);
            }
        }
    }

    /**
     * Takes back a qube whose namespace an earlier run of this instance left (a restarted
     * daemon finds the qube still running inside it): the namespace and the processes in it
     * stay; its links and nft tables are made again from {@code spec}, as {@link #attach}
     * makes them. Take back net qubes before their clients; a client whose netvm is not
     * (yet) attached stays without link until the netvm is attached or taken back.
     *
     * @throws QubesVMNotRunningError if the namespace does not exist
     * @throws QubesValueError        if already attached
     * @throws NetException           if a host tool fails; the namespace is kept then
     */
    public synchronized Attachment adopt(NetworkSpec spec) {
        checkOpen();
        if (nodes.containsKey(spec.name())) {
            throw new QubesValueError(spec.name() + " is already attached to the network");
        }
        String ns = config.nsPrefix() + spec.name();
        if (!Links.nsExists(ns)) {
            throw new QubesVMNotRunningError("Domain " + spec.name() + " has no network namespace to take back");
        }
        Node netvm = spec.netvm().map(nodes::get).filter(n -> n.spec.providesNetwork()).orElse(null);
        spec.uplink().ifPresent(u -> checkUplink(spec.name(), u));
        Node node = new Node(spec, ns);
        // What the earlier run made is rebuilt, not trusted: its interface names and chains
        // were that run's. Deleting a veth end also deletes its peer (a client's eth0).
        Links.reset(ns, spec.providesNetwork());
        if (spec.uplink().isPresent() && spec.uplink().get().peerNetns().isEmpty()) {
            Cmd.exec(null, "nft", "delete", "table", "ip", HostUplink.table(config.instance()));
        }
        nodes.put(spec.name(), node);
        try {
            if (spec.providesNetwork()) {
                setUpNetQube(node);
            }
            if (netvm != null) {
                linkTo(node, netvm);
            }
        } catch (RuntimeException e) {
            nodes.remove(spec.name(), node);
            throw e;
        }
        relinkOrphans(node);
        return attachment(node);
    }

    /**
     * Removes a stopping qube's namespace and link. A net qube's clients stay attached but lose
     * their link (Qubes detaches them by force) until it is attached again.
     */
    public synchronized void detach(String name) {
        checkOpen();
        teardown(node(name));
    }

    /**
     * Changes the netvm of a running qube (property {@code netvm} set while it runs): its link
     * moves to {@code newNetvm}, keeping its namespace, processes and address; its firewall
     * moves to the new netvm. Empty cuts it off.
     */
    public synchronized Attachment rewire(String name, Optional<String> newNetvm) {
        checkOpen();
        Node node = node(name);
        Node target = newNetvm.map(this::netvmNode).orElse(null);
        for (Node n = target; n != null; n = n.spec.netvm().map(nodes::get).orElse(null)) {
            if (n == node) {
                throw new QubesValueError("Loops in network are unsupported");
            }
        }
        if (node.linkedTo != null) {
            unlink(node);
        }
        node.spec = node.spec.withNetvm(newNetvm);
        if (node.spec.providesNetwork() && node.spec.uplink().isEmpty()) {
            List<Cidr> resolvers = target == null ? List.of() : virtualDns();
            if (!resolvers.equals(node.resolvers)) {
                node.resolvers = resolvers;
                reloadDnat(node);
                reloadFirewall(node);
            }
        }
        if (target != null) {
            linkTo(node, target);
        }
        return attachment(node);
    }

    /**
     * Replaces a qube's firewall rules and enforces them in its direct netvm
     * ({@code admin.vm.firewall.Set} and {@code Reload}). Host names are resolved there now;
     * then live connections the new rules reject are cut. Expired rules are skipped, and the
     * rules are applied again by themselves at the next expiry.
     *
     * @throws QubesException if the rules cannot be applied (for example a name does not
     *                        resolve): the qube's traffic is then all dropped (fail closed)
     */
    public synchronized void applyFirewall(String name, List<FirewallRule> rules) {
        checkOpen();
        Node node = node(name);
        node.spec = node.spec.withFirewall(rules);
        enforce(node);
    }

    /**
     * Removes what an earlier run of this instance left (after a crash of the daemon):
     * namespaces named {@code qubicle-<instance>-*} that this service does not hold, and the
     * host uplink's table and link. Returns the namespaces removed. Call it once at startup,
     * before attaching; processes still inside such a namespace keep it alive but unnamed.
     */
    public synchronized List<String> removeStale() {
        checkOpen();
        List<String> removed = new ArrayList<>();
        try (var entries = java.nio.file.Files.list(RUN_NETNS)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(config.nsPrefix()))
                    .filter(n -> nodes.values().stream().noneMatch(node -> node.ns.equals(n)))
                    .sorted()
                    .forEach(n -> {
                        Links.deleteNs(n);
                        removed.add(n);
                    });
        } catch (java.nio.file.NoSuchFileException e) {
            return removed;
        } catch (java.io.IOException e) {
            throw new NetException("cannot list " + RUN_NETNS + ": " + e.getMessage());
        }
        if (nodes.values().stream().noneMatch(n -> n.uplinkIf != null)) {
            Cmd.exec(null, "nft", "delete", "table", "ip", HostUplink.table(config.instance()));
        }
        return removed;
    }

    /** Applies the qube's current rules again ({@code admin.vm.firewall.Reload}). */
    public synchronized void applyFirewall(String name) {
        checkOpen();
        enforce(node(name));
    }

    /** The qube's attachment, if attached. */
    public synchronized Optional<Attachment> attachment(String name) {
        return Optional.ofNullable(nodes.get(name)).map(this::attachment);
    }

    /**
     * Stops this service but leaves every namespace, link and table in place, for qubes that
     * keep running while no daemon runs; a later run takes them back with {@link #adopt}
     * (or removes them with {@link #removeStale}). Firewall expiry timers stop meanwhile: an
     * expired rule is dropped when the qube is taken back.
     */
    public synchronized void release() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        nodes.clear();
    }

    /** Removes every namespace, link and table this service made. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        // Deleting a namespace destroys its interfaces, the veth peers and its tables with it,
        // so there is no need to unlink clients one by one first.
        for (Node n : List.copyOf(nodes.values())) {
            try {
                if (n.uplinkIf != null && n.spec.uplink().flatMap(Uplink::peerNetns).isEmpty()) {
                    HostUplink.down(config.instance(), n.uplinkIf);
                }
                Links.deleteNs(n.ns);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "network cleanup of " + n.name() + " failed", e);
            }
        }
        nodes.clear();
    }

    // ---- internals ----

    private void setUpNetQube(Node node) {
        NetworkSpec spec = node.spec;
        if (spec.uplink().isPresent()) {
            Uplink u = spec.uplink().get();
            node.uplinkIf = "q" + config.instance() + "u" + (++vifCounter);
            if (u.peerNetns().isPresent()) {
                Links.uplink(node.ns, node.uplinkIf, u);
            } else {
                HostUplink.up(config.instance(), node.ns, node.uplinkIf, u);
            }
            node.resolvers = u.resolvers().stream().map(a -> new Cidr(Ipv4.bits(a), 32)).toList();
        } else if (spec.netvm().isPresent()) {
            // Hop by hop: a net qube behind another forwards DNS to its netvm's virtual resolvers.
            node.resolvers = virtualDns();
        }
        Cmd.nft(node.ns, BaseRules.script(spec.gateway(), node.resolvers));
        reloadFirewall(node);
    }

    private void linkTo(Node node, Node netvm) {
        String vif = "vif" + (++vifCounter);
        Links.link(netvm.ns, vif, netvm.ip(), node.ns, node.ip(), node.spec.providesNetwork());
        node.vif = vif;
        node.linkedTo = netvm.name();
        if (!netvm.purged.remove(node.ip())) {
            // Flows of this address from before (an earlier run's): the new link starts clean.
            Conntrack.purge(netvm.ns, node.ip());
        }
        try {
            enforce(node, BaseRules.addClient(vif, node.ip()));
        } catch (QubesException e) {
            // The qube still starts, with all its traffic dropped; Qubes notifies the user likewise.
            LOG.log(Level.WARNING, "firewall of " + node.name() + " not applied, all its traffic is dropped: "
                    + e.getMessage());
        }
    }

    private void unlink(Node node) {
        Node netvm = nodes.get(node.linkedTo);
        String vif = node.vif;
        node.vif = null;
        node.linkedTo = null;
        node.chain = FirewallCompiler.failClosed();
        if (netvm != null) {
            Links.unlink(netvm.ns, vif);
            String remove = BaseRules.removeClient(vif, node.ip());
            try {
                // One transaction (in-process where libnftables loads): the client's elements
                // out of the base sets, and the firewall rebuilt without it.
                reloadFirewall(netvm, remove);
            } catch (RuntimeException e) {
                // An element already gone fails the whole script: apart, as the tool forgives it.
                Cmd.execInNs(netvm.ns, remove, "nft", "-f", "-");
                reloadFirewall(netvm);
            }
            if (Conntrack.purge(netvm.ns, node.ip())) {
                netvm.purged.add(node.ip());
            }
        }
    }

    private void enforce(Node node) {
        enforce(node, null);
    }

    /**
     * @param linkScript for a link just made: its {@code ip qubes} elements, loaded in the same
     *                   nft transaction as its chain; its flows were just purged, so none is cut
     */
    private void enforce(Node node, String linkScript) {
        if (node.expiryTask != null) {
            node.expiryTask.cancel(false);
            node.expiryTask = null;
        }
        Node netvm = node.linkedTo == null ? null : nodes.get(node.linkedTo);
        if (netvm == null) {
            return;
        }
        long now = clock.instant().getEpochSecond();
        List<FirewallRule> rules = node.spec.firewall();
        QubesException failure = null;
        try {
            node.chain = FirewallCompiler.compile(rules, now, netvm.resolvers,
                    new NameResolver(netvm.ns, netvm.resolvers));
        } catch (QubesException e) {
            node.chain = FirewallCompiler.failClosed();
            failure = e;
        }
        try {
            reloadFirewall(netvm, linkScript);
        } catch (NetException e) {
            node.chain = FirewallCompiler.failClosed();
            reloadFirewall(netvm, linkScript);
            failure = e;
        }
        if (linkScript == null) {
            Conntrack.cut(netvm.ns, node.ip(), node.chain);
        }
        FirewallCompiler.nextExpiry(rules, now).ifPresent(at -> scheduleExpiry(node, rules, at));
        if (failure != null) {
            throw failure;
        }
    }

    private void scheduleExpiry(Node node, List<FirewallRule> rules, long at) {
        long delayMs = Math.max(0, at * 1000 - clock.millis()) + 50;
        node.expiryTask = timer.schedule(() -> {
            synchronized (this) {
                // Only if nothing replaced these rules or removed the qube meanwhile.
                if (!closed && nodes.get(node.name()) == node && node.spec.firewall() == rules) {
                    try {
                        enforce(node);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "re-applying firewall of " + node.name() + " at expiry failed", e);
                    }
                }
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    private void reloadFirewall(Node netvm) {
        reloadFirewall(netvm, null);
    }

    private void reloadFirewall(Node netvm, String before) {
        Map<String, FirewallTable.Client> clients = new TreeMap<>();
        for (Node n : nodes.values()) {
            if (netvm.name().equals(n.linkedTo)) {
                clients.put(n.name(), new FirewallTable.Client(n.vif, n.ip(), n.chain));
            }
        }
        Cmd.nft(netvm.ns, (before == null ? "" : before) + FirewallTable.script(netvm.resolvers, clients));
    }

    private void reloadDnat(Node node) {
        if (node.spec.gateway() instanceof GatewayMode.Routed) {
            Cmd.nft(node.ns, "flush chain ip qubes dnat-dns\ntable ip qubes {\n  chain dnat-dns {\n"
                    + BaseRules.dnatDns(node.resolvers) + "  }\n}\n");
        }
    }

    private void teardown(Node node) {
        if (node.expiryTask != null) {
            node.expiryTask.cancel(false);
        }
        if (node.spec.providesNetwork()) {
            for (Node client : List.copyOf(nodes.values())) {
                if (node.name().equals(client.linkedTo)) {
                    client.vif = null;
                    client.linkedTo = null;
                    client.chain = FirewallCompiler.failClosed();
                }
            }
        }
        if (node.linkedTo != null && nodes.containsKey(node.linkedTo)) {
            unlink(node);
        }
        if (node.uplinkIf != null && node.spec.uplink().flatMap(Uplink::peerNetns).isEmpty()) {
            HostUplink.down(config.instance(), node.uplinkIf);
        }
        Links.deleteNs(node.ns);
        nodes.remove(node.name(), node);
    }

    private Attachment attachment(Node node) {
        Optional<java.net.Inet4Address> gw = Optional.ofNullable(node.linkedTo).map(nodes::get).map(n -> n.spec.ip());
        return new Attachment(node.name(), node.ns, RUN_NETNS.resolve(node.ns), node.spec.ip(), gw,
                BaseRules.VIRTUAL_DNS.stream().map(Ipv4::parse).toList());
    }

    private void checkUplink(String name, Uplink u) {
        if (u.peerNetns().isEmpty()) {
            if (!config.hostUplinkAllowed()) {
                throw new QubesValueError("The uplink of " + name + " to the host's network is turned off");
            }
            if (nodes.values().stream().anyMatch(n -> n.uplinkIf != null && n.spec.uplink().flatMap(Uplink::peerNetns).isEmpty())) {
                throw new QubesValueError("Only one qube may have the host uplink");
            }
        } else if (!RUN_NETNS.equals(u.peerNetns().get().getParent())) {
            throw new QubesValueError("An uplink namespace must be a name under /run/netns");
        }
    }

    private static List<Cidr> virtualDns() {
        return BaseRules.VIRTUAL_DNS.stream().map(Cidr::parse).toList();
    }

    private Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new QubesVMNotRunningError("Domain " + name + " is not attached to the network");
        }
        return n;
    }

    private Node netvmNode(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new QubesVMNotRunningError("NetVM " + name + " is not running");
        }
        if (!n.spec.providesNetwork()) {
            throw new QubesValueError(name + " does not provide network");
        }
        return n;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("network closed");
        }
    }
}
