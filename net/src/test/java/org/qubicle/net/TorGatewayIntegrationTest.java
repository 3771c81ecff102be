package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A sys-whonix-like gateway: TCP to its TransPort, DNS to its DNSPort, all else dropped. A
 * fake listener stands in for Tor (no Tor network is used).
 */
class TorGatewayIntegrationTest extends NetworkFixture {
    static final GatewayMode.Tor TOR = new GatewayMode.Tor(9040, 5300);

    @Override
    void setUpQubes() {
        net.attach(NetworkSpec.netQube("sys-tor", "10.137.0.5", Optional.of("sys-firewall")).withGateway(TOR));
        net.attach(NetworkSpec.client("anon", "10.137.0.15", "sys-tor"));
    }

    @Test
    void withoutTorNothingGetsOut() throws Exception {
        String anon = ns("anon");
        long before = worldPackets();
        assertTrue(Ns.wget(anon, "http://" + WEB + "/").startsWith("ERR"));
        assertTrue(Ns.wget(anon, "http://" + ELEVEN + ":80/").startsWith("ERR"));
        assertEquals(List.of(), Ns.lookup(anon, "web.test", "10.139.1.1"));
        assertEquals(List.of(), Ns.lookup(anon, "web.test", DNS), "direct DNS to the world");
        assertFalse(Ns.ping(anon, WEB));
        assertEquals(before, worldPackets(), "a packet from behind the gateway reached the world");
        // The gateway itself still reaches the world (Tor would connect out from there).
        assertEquals("hello world", Ns.wget(ns("sys-tor"), "http://" + WEB + "/"));
    }

    @Test
    void withTorListeningTrafficGoesOnlyThroughIt() throws Exception {
        String anon = ns("anon");
        Path dir = Files.createDirectories(tmp.resolve("tor"));
        Files.writeString(dir.resolve("index.html"), "via tor\n");
        Process trans = procs.start(ns("sys-tor"), "busybox", "httpd", "-f", "-p", "9040", "-h", dir.toString());
        procs.startDns(ns("sys-tor"), "0.0.0.0", TOR.dnsPort(), "web.test=192.0.2.77");
        try {
            assertTrue(eventually(() -> Ns.wget(ns("sys-tor"), "http://127.0.0.1:9040/").equals("via tor")));
            long before = worldPackets();
            assertEquals("via tor", Ns.wget(anon, "http://" + WEB + "/"));
            assertEquals("via tor", Ns.wget(anon, "http://" + ELEVEN + ":8080/"));
            assertEquals(List.of("192.0.2.77"), Ns.lookup(anon, "web.test", "10.139.1.1"), "DNS answered by the DNSPort");
            assertFalse(Ns.ping(anon, WEB));
            assertEquals(before, worldPackets(), "a packet from behind the gateway reached the world");
        } finally {
            procs.stopAll();
        }
    }

    /** Packets the world received on its uplink, counted by a table the test adds there. */
    long worldPackets() {
        if (Cmd.execInNs(world, null, "nft", "list", "table", "ip", "qubicle-test-count").status() != 0) {
            Cmd.nft(world, "table ip qubicle-test-count {\n chain in {\n  type filter hook prerouting priority -400;\n"
                    + "  iifname != \"lo\" ip saddr 100.64.0.2 counter\n }\n}\n");
        }
        String out = Cmd.inNs(world, null, "nft", "list", "chain", "ip", "qubicle-test-count", "in");
        var m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }
}
