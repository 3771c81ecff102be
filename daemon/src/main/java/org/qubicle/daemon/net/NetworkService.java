package org.qubicle.daemon.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.handlers.FirewallHandlers;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.daemon.lifecycle.Pending;
import org.qubicle.driver.Capability;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;
import org.qubicle.net.Attachment;
import org.qubicle.net.Network;
import org.qubicle.net.NetworkConfig;
import org.qubicle.net.NetworkSpec;

/**
 * The daemon's network: every qube it starts gets a network namespace of the {@code net}
 * library, linked to its netvm when it has one; {@code netvm} changes on running qubes rewire
 * them live ({@link NetvmEvents}); firewall changes are enforced at once
 * ({@link FirewallHandlers.Hook}). See docs/net.md, "In the daemon".
 *
 * <p>Every qube, networked or not, gets a namespace, so that setting a netvm on a running
 * qube that had none can link it (its processes cannot move to another namespace).
 */
public final class NetworkService implements QubeNetwork, FirewallHandlers.Hook {
    private static final Logger LOG = Logger.getLogger(NetworkService.class.getName());

    private final Qubes app;
    private final Network net;
    /** The netvm each attached qube is wired to now, as the library was told. */
    private final Map<String, Optional<String>> wiredTo = new ConcurrentHashMap<>();

    NetworkService(Qubes app, Network net) {
        this.app = app;
        this.net = net;
        new NetvmEvents(app, this).register();
    }

    /**
     * The real network when this host can have it (root, iproute2 and nftables, a driver that
     * joins a namespace); otherwise {@link QubeNetwork#NONE}, with the reason logged.
     *
     * @param config the instance's network settings ({@link NetConfigFile})
     */
    public static QubeNetwork probe(Qubes app, LifecycleService life, NetworkConfig config) {
        IsolationDriver driver = life.driver();
        String why = null;
        if (!driver.capabilities().contains(Capability.NETNS)) {
            why = "the isolation driver cannot join a network namespace";
        } else if (!isRoot()) {
            why = "the daemon does not run as root";
        } else if (!onPath("ip") || !onPath("nft")) {
            why = "iproute2 (ip) or nftables (nft) is not installed";
        }
        if (why != null) {
            LOG.warning("qubes get no network: " + why);
            return QubeNetwork.NONE;
        }
        NetworkService s = new NetworkService(app, Network.open(config));
        new TorLauncher(app, life).register();
        return s;
    }

    /** The hook for {@link FirewallHandlers}; a no-op for {@link QubeNetwork#NONE}. */
    public static FirewallHandlers.Hook firewallHook(QubeNetwork n) {
        return n instanceof NetworkService s ? s : q -> { };
    }

    Network network() {
        return net;
    }

    @Override
    public Wiring starting(Qube q) {
        if (q.klass() == QubeClass.ADMIN_VM) {
            return Wiring.NONE;
        }
        long t0 = System.nanoTime();
        NetworkSpec ns = NetSettings.spec(q, addressOf(q));
        Attachment a = net.attachNamespace(ns);
        wiredTo.put(q.name(), ns.netvm());
        LOG.fine(() -> String.format("network namespace of %s made in %.1f ms", q.name(), (System.nanoTime() - t0) / 1e6));
        // The links and the firewall are made while the qube's storage and sandbox start.
        Pending<Void> linked = Pending.start("link-" + q.name(), () -> {
            long t1 = System.nanoTime();
            net.completeAttach(q.name());
            LOG.info(String.format("network of %s linked in %.1f ms", q.name(), (System.nanoTime() - t1) / 1e6));
            return null;
        });
        List<String> dns = networked(q) ? a.dns().stream().map(d -> d.getHostAddress()).toList() : List.of();
        return new Wiring(Optional.of(a.netnsPath()), dns, linked);
    }

    @Override
    public void stopped(Qube q) {
        wiredTo.remove(q.name());
        if (net.attachment(q.name()).isPresent()) {
            net.detach(q.name());
        }
    }

    @Override
    public void tookBack(Collection<Qube> running) {
        List<Qube> order = new ArrayList<>(running);
        order.removeIf(q -> q.klass() == QubeClass.ADMIN_VM);
        // Net qubes before their clients: by the length of the netvm chain.
        order.sort(Comparator.comparingInt(NetworkService::depth));
        for (Qube q : order) {
            try {
                NetworkSpec ns = NetSettings.spec(q, addressOf(q));
                net.adopt(ns);
                wiredTo.put(q.name(), ns.netvm());
                LOG.info("took back the network of " + q.name());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot take back the network of " + q.name()
                        + "; it keeps its namespace unmanaged: " + e.getMessage());
            }
        }
        List<String> removed = net.removeStale();
        if (!removed.isEmpty()) {
            LOG.info("removed network namespaces left by an earlier run: " + removed);
        }
    }

    /** {@code admin.vm.firewall.Set} and {@code Reload}: enforce the rules now in the qube's netvm. */
    @Override
    public void firewallChanged(Qube q) {
        if (net.attachment(q.name()).isEmpty()) {
            return; // not running: enforced when it starts
        }
        try {
            net.applyFirewall(q.name(), q.firewall());
        } catch (QubesException e) {
            // As in Qubes, the call itself succeeds; the qube's traffic is dropped (fail closed).
            LOG.warning("firewall of " + q.name() + " not applied, its traffic is dropped: " + e.getMessage());
        }
    }

    /** Whether {@code q} is attached (running with its namespace from here). */
    boolean attached(Qube q) {
        return net.attachment(q.name()).isPresent();
    }

    Optional<String> wiredTo(Qube q) {
        return wiredTo.getOrDefault(q.name(), Optional.empty());
    }

    /** Moves a running qube's link to its current netvm (or cuts it, for none). */
    void rewire(Qube q) {
        Optional<String> target = q.netvm().map(Qube::name);
        if (!attached(q) || target.equals(wiredTo(q))) {
            return;
        }
        try {
            net.rewire(q.name(), target);
            wiredTo.put(q.name(), target);
            LOG.info("rewired " + q.name() + " to " + target.orElse("no network"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "rewiring " + q.name() + " failed; it has no network now", e);
            try {
                net.rewire(q.name(), Optional.empty());
                wiredTo.put(q.name(), Optional.empty());
            } catch (RuntimeException again) {
                LOG.log(Level.WARNING, "cutting " + q.name() + " off failed too", again);
            }
        }
    }

    @Override
    public void close() {
        net.release();
    }

    /** Its {@code ip}; for a qube without network, the address it would have (qid or dispid). */
    static String addressOf(Qube q) {
        String ip = q.get("ip").text();
        if (!ip.isEmpty()) {
            return ip;
        }
        boolean disp = q.klass() == QubeClass.DISP_VM && q.isSet("dispid");
        long v = disp ? q.intProperty("dispid") : q.qid();
        String prefix = disp ? "10.138" : "10.137";
        if (v < 255) {
            return prefix + ".0." + v;
        }
        long w = v - 1;
        return prefix + "." + (w / 254) + "." + (w % 254 + 1);
    }

    static boolean networked(Qube q) {
        return q.providesNetwork() || q.netvm().isPresent();
    }

    private static int depth(Qube q) {
        int d = 0;
        for (Optional<Qube> n = q.netvm(); n.isPresent() && d < 64; n = n.get().netvm()) {
            d++;
        }
        return d;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
