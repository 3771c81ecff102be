package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.firewall.FirewallRule;

class FirewallCompilerTest {
    static final List<Cidr> DNS = List.of(Cidr.parse("10.139.1.1"), Cidr.parse("10.139.1.2"));
    /** A fake resolver: two names, everything else fails. */
    static final FirewallCompiler.Resolver FAKE = name -> switch (name) {
        case "web.test" -> List.of(Cidr.parse("198.51.100.10"), Cidr.parse("198.51.100.12"));
        default -> throw new NetException("Failed to resolve " + name);
    };

    static List<String> nft(long now, String... rules) {
        return FirewallCompiler.compile(Stream.of(rules).map(FirewallRule::parse).toList(), now, DNS, FAKE)
                .stream().map(CompiledRule::toNft).toList();
    }

    @Test
    void everyFormRendersAsQubesAgentDoes() {
        assertEquals(List.of(
                "accept",
                "reject with icmp type admin-prohibited",
                "ip protocol tcp ip daddr { 1.2.3.0/24 } tcp dport 443 accept",
                "ip protocol udp udp dport 1000-2000 reject with icmp type admin-prohibited",
                "ip daddr { 198.51.100.10/32, 198.51.100.12/32 } accept",
                "ip protocol icmp icmp type 8 accept",
                "ip protocol tcp ip daddr { 10.139.1.1/32, 10.139.1.2/32 } tcp dport 53 accept",
                "ip protocol udp ip daddr { 10.139.1.1/32, 10.139.1.2/32 } udp dport 53 accept",
                "reject with icmp type admin-prohibited"),
                nft(100, "action=accept comment=all", "action=drop", "action=accept dst4=1.2.3.4/24 proto=tcp dstports=443",
                        "action=drop proto=udp dstports=1000-2000", "action=accept dsthost=web.test",
                        "action=accept proto=icmp icmptype=8", "action=accept specialtarget=dns"));
    }

    @Test
    void skipsExpiredIpv6AndDnsWithOtherPorts() {
        assertEquals(List.of("reject with icmp type admin-prohibited"),
                nft(100, "action=accept expire=100", "action=accept dst6=2001:db8::/32",
                        "action=accept specialtarget=dns proto=tcp dstports=80"));
        assertEquals(2, nft(99, "action=accept expire=100").size(), "not yet expired");
    }

    @Test
    void dnsTargetWithoutResolversIsSkipped() {
        assertEquals(1, FirewallCompiler.compile(List.of(FirewallRule.parse("action=accept specialtarget=dns")), 0,
                List.of(), FAKE).size());
    }

    @Test
    void anUnresolvableNameFailsTheWholeRuleset() {
        assertThrows(QubesException.class, () -> nft(0, "action=accept", "action=accept dsthost=nosuch.test"));
    }

    @Test
    void nextExpiry() {
        List<FirewallRule> rules = Stream.of("action=accept expire=50", "action=accept expire=200",
                "action=accept expire=150", "action=accept").map(FirewallRule::parse).toList();
        assertEquals(Optional.of(150L), FirewallCompiler.nextExpiry(rules, 100));
        assertEquals(Optional.empty(), FirewallCompiler.nextExpiry(rules, 200));
    }

    @Test
    void firstMatchWinsForLiveFlows() {
        List<CompiledRule> chain = FirewallCompiler.compile(Stream.of(
                "action=drop dst4=198.51.100.10 proto=tcp dstports=80", "action=accept dst4=198.51.100.0/24",
                "action=accept proto=icmp icmptype=8").map(FirewallRule::parse).toList(), 0, DNS, FAKE);
        int web = Cidr.parse("198.51.100.10").address();
        int other = Cidr.parse("203.0.113.1").address();
        assertFalse(FirewallCompiler.allows(chain, new CompiledRule.Flow("tcp", web, 80, -1)));
        assertTrue(FirewallCompiler.allows(chain, new CompiledRule.Flow("tcp", web, 8080, -1)));
        assertTrue(FirewallCompiler.allows(chain, new CompiledRule.Flow("udp", web, 80, -1)));
        assertFalse(FirewallCompiler.allows(chain, new CompiledRule.Flow("tcp", other, 80, -1)), "implicit drop");
        assertTrue(FirewallCompiler.allows(chain, new CompiledRule.Flow("icmp", other, -1, 8)));
        assertFalse(FirewallCompiler.allows(chain, new CompiledRule.Flow("icmp", other, -1, 0)));
    }

    @Test
    void firewallTableHasOneChainPerClient() {
        String s = FirewallTable.script(DNS, Map.of("work", new FirewallTable.Client("vif3", "10.137.0.10",
                FirewallCompiler.failClosed())));
        assertTrue(s.contains("iifname \"vif3\" ip saddr 10.137.0.10 jump qbs-10-137-0-10"), s);
        assertTrue(s.contains("chain qbs-10-137-0-10 {\n    reject with icmp type admin-prohibited\n  }"), s);
        assertTrue(s.contains("elements = { 10.139.1.1, 10.139.1.2 }"), s);
        assertTrue(s.startsWith("table ip qubes-firewall\ndelete table ip qubes-firewall\n"), "swapped in one transaction");
    }
}
