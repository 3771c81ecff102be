package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesValueError;

/** conntrack and nslookup output, addresses, and the validation of the public records. */
class ParsersTest {
    @Test
    void conntrackLinesJudgeTheDestinationAfterDnat() {
        String out = """
                tcp      6 431999 ESTABLISHED src=10.137.0.10 dst=198.51.100.10 sport=40000 dport=80 src=198.51.100.10 dst=10.137.0.3 sport=80 dport=40000 [ASSURED] mark=0 use=1
                udp      17 29 src=10.137.0.10 dst=10.139.1.1 sport=5555 dport=53 src=198.51.100.53 dst=10.137.0.3 sport=53 dport=5555 mark=0 use=1
                icmp     1 29 src=10.137.0.10 dst=198.51.100.11 type=8 code=0 id=7 src=198.51.100.11 dst=10.137.0.3 type=0 code=0 id=7 mark=0 use=1
                conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
                """;
        List<Conntrack.Entry> e = Conntrack.parse(out);
        assertEquals(3, e.size());
        assertEquals(new CompiledRule.Flow("tcp", Cidr.parse("198.51.100.10").address(), 80, -1), e.get(0).flow());
        assertEquals(40000, e.get(0).sport());
        assertEquals("10.139.1.1", e.get(1).dst(), "deleted by its original tuple");
        assertEquals(Cidr.parse("198.51.100.53").address(), e.get(1).flow().daddr(), "judged after DNAT");
        assertEquals(8, e.get(2).flow().icmpType());
        assertEquals(List.of(), Conntrack.parse("garbage src=\nudp 17 x src=zzz dst=1.2.3.4"));
    }

    @Test
    void nslookupAnswersOnly() {
        String out = "Server:\t\t10.139.1.1\nAddress:\t10.139.1.1:53\n\nName:\tweb.test\nAddress: 198.51.100.10\n"
                + "Name:\tweb.test\nAddress: 198.51.100.12\n";
        assertEquals(List.of(Cidr.parse("198.51.100.10"), Cidr.parse("198.51.100.12")), NameResolver.parse(out, "10.139.1.1"));
        assertEquals(List.of(), NameResolver.parse("** server can't find x: NXDOMAIN\n", "10.139.1.1"));
    }

    @Test
    void cidr() {
        assertEquals("198.51.100.0/24", Cidr.parse("198.51.100.77/24").toString());
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("1.2.3.4").address()));
        assertThrows(QubesValueError.class, () -> Cidr.parse("1.2.3.4/33"));
        assertThrows(QubesValueError.class, () -> Ipv4.parse("example.com"));
        assertThrows(QubesValueError.class, () -> Ipv4.parse("1.2.3.256"));
    }

    @Test
    void specValidation() {
        assertThrows(QubesValueError.class, () -> NetworkSpec.client("work", "10.137.0.10", "work"));
        assertThrows(QubesValueError.class, () -> NetworkSpec.client("-bad", "10.137.0.10", "sys-net"));
        assertThrows(QubesValueError.class, () -> NetworkSpec.client("work", "10.137.0.10", "sys-net")
                .withGateway(GatewayMode.Tor.defaults()));
        assertThrows(QubesValueError.class, () -> NetworkSpec.netQube("sys-firewall", "10.137.0.3", Optional.of("sys-net"))
                .withUplink(Uplink.toHost("100.64.0.2", "100.64.0.1", 30, List.of())));
        assertThrows(QubesValueError.class, () -> Uplink.toHost("100.64.0.2", "100.64.1.1", 30, List.of()));
        assertThrows(QubesValueError.class, () -> new GatewayMode.Tor(0, 53));
        assertThrows(QubesValueError.class, () -> new NetworkConfig("Bad!", false));
        assertEquals(Optional.of(Path.of("/run/netns/w")),
                Uplink.toNamespace(Path.of("/run/netns/w"), "100.64.0.2", "100.64.0.1", 30, List.of()).peerNetns());
        NetworkConfig c = NetworkConfig.forRoot(Path.of("/var/lib/qubes"));
        assertEquals(c, NetworkConfig.forRoot(Path.of("/var/lib/qubes/")));
        assertTrue(c.nsPrefix().matches("qubicle-[0-9a-f]{8}-"));
        assertTrue(!c.hostUplinkAllowed(), "the host uplink is off by default");
    }

    @Test
    void hostResolversSkipLoopback(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(conf, "# x\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nnameserver ::1\n"
                + "search lan\nnameserver 192.0.2.2\n");
        assertEquals(List.of("192.0.2.1", "192.0.2.2"), Uplink.hostResolvers(conf));
        assertEquals(List.of(), Uplink.hostResolvers(dir.resolve("missing")));
    }

    @Test
    void baseRules() {
        String routed = BaseRules.script(GatewayMode.ROUTED, List.of(Cidr.parse("198.51.100.53")));
        assertTrue(routed.contains("ip daddr 10.139.1.1 udp dport 53 dnat to 198.51.100.53"), routed);
        assertTrue(routed.contains("ip daddr 10.139.1.2 tcp dport 53 dnat to 198.51.100.53"), routed);
        assertTrue(routed.contains("iifgroup 2 counter reject with icmp type host-prohibited"), routed);
        assertTrue(routed.contains("oifgroup 2 counter drop"), routed);
        String none = BaseRules.script(GatewayMode.ROUTED, List.of());
        assertTrue(none.contains("th dport 53 drop"), none);
        String tor = BaseRules.script(new GatewayMode.Tor(9040, 5300), List.of());
        assertTrue(tor.contains("iifgroup 2 meta l4proto tcp redirect to :9040"), tor);
        assertTrue(tor.contains("iifgroup 2 counter drop"), tor);
        String host = HostUplink.script("abc", "qabcu1", Uplink.toHost("100.64.0.2", "100.64.0.1", 30, List.of()));
        assertTrue(host.contains("ip saddr 100.64.0.0/30 oifname != \"qabcu1\" masquerade"), host);
    }
}
