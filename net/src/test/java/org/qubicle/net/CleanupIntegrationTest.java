package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** close() and detach() leave no namespace, link or nft table behind. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class CleanupIntegrationTest {
    @Test
    void closeRemovesEverything() {
        LeakCheck before = LeakCheck.snapshot();
        Network net = Network.open(new NetworkConfig("clean" + (System.nanoTime() % 100), false));
        net.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()));
        net.attach(NetworkSpec.netQube("sys-firewall", "10.137.0.3", Optional.of("sys-net")));
        net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-firewall"));
        net.applyFirewall("work", List.of(org.qubicle.model.firewall.FirewallRule.parse(
                "action=accept expire=" + (System.currentTimeMillis() / 1000 + 3600))));
        assertTrue(LeakCheck.leaksSince(before).size() >= 3, "the qubes' namespaces exist while attached");
        net.detach("work");
        net.close();
        net.close();
        assertEquals(List.of(), LeakCheck.leaksSince(before));
    }

    @Test
    void removeStaleClearsWhatACrashedRunLeft() {
        LeakCheck before = LeakCheck.snapshot();
        NetworkConfig config = new NetworkConfig("stale" + (System.nanoTime() % 100), false);
        Network crashed = Network.open(config);
        crashed.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()));
        crashed.attach(NetworkSpec.client("work", "10.137.0.10", "sys-net"));
        // No close(): the daemon died. The next run finds the leftovers by name.
        try (Network next = Network.open(config)) {
            assertEquals(List.of(config.nsPrefix() + "sys-net", config.nsPrefix() + "work"), next.removeStale());
            assertEquals(List.of(), LeakCheck.leaksSince(before));
            next.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()));
        }
        assertEquals(List.of(), LeakCheck.leaksSince(before));
    }

    @Test
    void releaseKeepsTheWiringAndAdoptRebuildsIt() {
        LeakCheck before = LeakCheck.snapshot();
        NetworkConfig config = new NetworkConfig("adopt" + (System.nanoTime() % 100), false);
        Network first = Network.open(config);
        first.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()));
        first.attach(NetworkSpec.client("work", "10.137.0.10", "sys-net"));
        first.release();
        first.release();
        String work = config.nsPrefix() + "work";
        assertTrue(Links.nsExists(work) && Links.nsExists(config.nsPrefix() + "sys-net"), "release keeps the namespaces");
        try (Network next = Network.open(config)) {
            org.junit.jupiter.api.Assertions.assertThrows(org.qubicle.model.exc.QubesVMNotRunningError.class,
                    () -> next.adopt(NetworkSpec.client("other", "10.137.0.11", "sys-net")));
            next.adopt(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty()));
            next.adopt(NetworkSpec.client("work", "10.137.0.10", "sys-net"));
            assertTrue(Ns.ping(work, "10.137.0.2"), "the client reaches its netvm again");
            assertEquals(List.of(), next.removeStale(), "what was taken back is not stale");
            String vifs = Cmd.run(null, "ip", "-n", config.nsPrefix() + "sys-net", "-o", "link", "show", "group", "2");
            assertEquals(1, vifs.lines().count(), "the old link was replaced, not doubled: " + vifs);
        }
        assertEquals(List.of(), LeakCheck.leaksSince(before));
    }
}
