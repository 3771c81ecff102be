package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Every firewall rule form, enforced in the qube's direct netvm (sys-firewall). */
class FirewallIntegrationTest extends NetworkFixture {
    String work;

    @Override
    void setUpQubes() {
        net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-firewall"));
        work = ns("work");
    }

    @Test
    void defaultAcceptsEverything() {
        firewall("work", "action=accept");
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        assertTrue(Ns.ping(work, WEB));
        assertEquals(List.of(WEB), Ns.lookup(work, "web.test", "10.139.1.1"));
    }

    @Test
    void dst4DropIsAnImmediateRejectAndOtherHostsPass() {
        firewall("work", "action=drop dst4=" + WEB + "/32", "action=accept");
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
        assertEquals("hello eleven", Ns.wget(work, "http://" + ELEVEN + "/"));
    }

    @Test
    void dst4NetworkWithProtoAndPortThenImplicitDrop() {
        firewall("work", "action=accept dst4=198.51.100.8/29 proto=tcp dstports=80 comment=web servers");
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        assertEquals("hello eleven", Ns.wget(work, "http://" + ELEVEN + "/"));
        assertRejected(Ns.wget(work, "http://" + WEB + ":8080/"));
        assertFalse(Ns.ping(work, WEB), "icmp is not in the rule");
    }

    @Test
    void dstportsRange() {
        firewall("work", "action=accept proto=tcp dstports=8000-8100");
        assertEquals("hello 8080", Ns.wget(work, "http://" + WEB + ":8080/"));
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
    }

    @Test
    void protoUdpDrop() {
        firewall("work", "action=drop proto=udp", "action=accept");
        assertEquals(List.of(), Ns.lookup(work, "web.test", "10.139.1.1"));
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
    }

    @Test
    void icmpType() {
        firewall("work", "action=drop proto=icmp icmptype=8", "action=accept");
        assertFalse(Ns.ping(work, WEB));
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        firewall("work", "action=accept proto=icmp icmptype=8");
        assertTrue(Ns.ping(work, WEB));
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
    }

    @Test
    void dsthostNameResolvedInTheNetvm() {
        firewall("work", "action=accept dsthost=web.test", "action=accept specialtarget=dns");
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        assertRejected(Ns.wget(work, "http://" + ELEVEN + "/"));
    }

    @Test
    void unresolvableNameFailsClosed() {
        assertThrowsQubes(() -> firewall("work", "action=accept dsthost=nosuch.test", "action=accept"));
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
        assertEquals(List.of(), Ns.lookup(work, "web.test", "10.139.1.1"));
    }

    @Test
    void dst6RulesDoNotTouchAnIpv4Qube() {
        firewall("work", "action=drop dst6=2001:db8::/32", "action=accept dst6=::/0", "action=accept dst4=" + WEB);
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        assertRejected(Ns.wget(work, "http://" + ELEVEN + "/"));
    }

    @Test
    void specialtargetDns() {
        firewall("work", "action=accept specialtarget=dns comment=only dns");
        assertEquals(List.of(WEB), Ns.lookup(work, "web.test", "10.139.1.1"));
        assertEquals(List.of(ELEVEN), Ns.lookup(work, "eleven.test", "10.139.1.2"));
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
        firewall("work", "action=accept proto=tcp");
        assertEquals(List.of(), Ns.lookup(work, "web.test", "10.139.1.1"), "no dns rule: dns is dropped");
    }

    @Test
    void expiredRulesDisappearByThemselves() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        firewall("work", "action=accept expire=" + (now + 5) + " dst4=" + WEB, "action=accept dst4=" + ELEVEN);
        assertEquals("hello world", Ns.wget(work, "http://" + WEB + "/"));
        assertTrue(eventually(() -> Ns.wget(work, "http://" + WEB + "/").contains("No route to host")),
                "the expired rule was not removed");
        assertEquals("hello eleven", Ns.wget(work, "http://" + ELEVEN + "/"));
        firewall("work", "action=accept expire=" + (now - 10), "action=accept dst4=" + ELEVEN);
        assertRejected(Ns.wget(work, "http://" + WEB + "/"));
        net.applyFirewall("work");
        assertEquals("hello eleven", Ns.wget(work, "http://" + ELEVEN + "/"), "reload keeps the rules");
    }

    @Test
    void tighteningCutsAnOpenConnection() throws Exception {
        firewall("work", "action=accept");
        Process nc = procs.start(work, "busybox", "nc", WEB, "7000");
        OutputStream toEcho = nc.getOutputStream();
        BufferedReader fromEcho = new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8));
        toEcho.write("before\n".getBytes(StandardCharsets.UTF_8));
        toEcho.flush();
        assertEquals("before", fromEcho.readLine());

        firewall("work", "action=accept dst4=" + ELEVEN);
        toEcho.write("after\n".getBytes(StandardCharsets.UTF_8));
        toEcho.flush();
        CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
            try {
                return fromEcho.readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        });
        // The connection must be dead: no echo comes back (nc may also give up with an error).
        String line;
        try {
            line = echoed.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException expected) {
            line = null;
        }
        assertFalse("after".equals(line), "the open connection survived the tighter firewall");
        procs.stop(nc);
    }

    @Test
    void aNewLinkOfAnAddressStartsWithoutTheOldLinksFlows() throws Exception {
        String ip = "10.137.0.20";
        net.attach(NetworkSpec.client("reuse-a", ip, "sys-firewall"));
        firewall("reuse-a", "action=accept");
        Process nc = procs.start(ns("reuse-a"), "busybox", "nc", WEB, "7000");
        nc.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
        nc.getOutputStream().flush();
        assertEquals("hi", new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8)).readLine());
        procs.stop(nc);
        String fw = ns("sys-firewall");
        assertFalse(flowsFrom(fw, ip).isEmpty(), "the connection left no flow to test with");

        net.detach("reuse-a");
        net.attach(NetworkSpec.client("reuse-b", ip, "sys-firewall"));
        assertEquals("", flowsFrom(fw, ip), "a flow of the stopped qube's link is still known");
        net.detach("reuse-b");
    }

    private static String flowsFrom(String ns, String ip) {
        return Ns.run(ns, "conntrack", "-L", "-s", ip).out().strip();
    }
}
