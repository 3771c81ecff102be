package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Namespaces made without iproute2 look to iproute2 as {@code ip netns add} leaves them. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class NetNsIntegrationTest {
    private static final String NS = "qubicle-nstest" + (System.nanoTime() % 1000);

    @Test
    void createSetsLoopbackAndSysctlsAndDeleteRemovesIt() {
        LeakCheck before = LeakCheck.snapshot();
        Links.createNs(NS, true);
        try {
            assertTrue(Links.nsExists(NS));
            assertTrue(Cmd.run(null, "ip", "-n", NS, "-o", "link", "show", "lo").contains("UP"), "lo is up");
            assertEquals("1", Cmd.inNs(NS, null, "sysctl", "-n", "net.ipv4.ip_forward").strip());
            assertEquals("1", Cmd.inNs(NS, null, "sysctl", "-n", "net.ipv6.conf.all.disable_ipv6").strip());
            assertEquals("0\t2147483647", Cmd.inNs(NS, null, "sysctl", "-n", "net.ipv4.ping_group_range").strip());
            Links.sysctl(NS, "net.ipv4.conf.lo.proxy_arp=1");
            assertEquals("1", Cmd.inNs(NS, null, "sysctl", "-n", "net.ipv4.conf.lo.proxy_arp").strip());
            assertThrows(NetException.class, () -> Links.createNs(NS, false), "a second create of the same name");
            assertThrows(NetException.class, () -> Links.sysctl(NS, "kernel.hostname=x"), "only net.* sysctls");
            assertThrows(NetException.class, () -> Links.sysctl(NS, "net.no.such.key=1"));
        } finally {
            Links.deleteNs(NS);
        }
        assertFalse(Links.nsExists(NS));
        assertFalse(Cmd.run(null, "ip", "netns", "list").contains(NS));
        assertEquals(List.of(), LeakCheck.leaksSince(before));
    }

    @Test
    void theDaemonThreadStaysInItsNamespace() throws Exception {
        String mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        Links.createNs(NS + "b", false);
        try {
            String inside = NetNs.in(NS + "b", () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            assertFalse(inside.equals(mine), "the work ran in the new namespace");
            assertEquals(mine, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        } finally {
            Links.deleteNs(NS + "b");
        }
        assertThrows(NetException.class, () -> NetNs.in(NS + "b", () -> null), "a deleted namespace cannot be entered");
        assertThrows(NetException.class, () -> Links.createNs("../etc", false), "names are plain");
    }
}
