package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesVMNotRunningError;
import org.qubicle.model.exc.QubesValueError;

/** Addressing, DNS hop by hop, isolation between qubes and from the netvm, anti-spoofing, live netvm change. */
class TopologyIntegrationTest extends NetworkFixture {
    @Override
    void setUpQubes() {
        net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-firewall"));
        net.attach(NetworkSpec.client("personal", "10.137.0.11", "sys-firewall"));
        net.attach(NetworkSpec.client("direct", "10.137.0.12", "sys-net"));
    }

    @Test
    void addressingIsSlash32WithAnOnLinkGateway() {
        Attachment a = net.attachment("work").orElseThrow();
        assertEquals(Path.of("/run/netns", a.netns()), a.netnsPath());
        assertTrue(Files.exists(a.netnsPath()));
        assertTrue(a.netns().startsWith("qubicle-" + net.config().instance() + "-"));
        assertEquals("10.137.0.3", a.gateway().orElseThrow().getHostAddress());
        assertEquals(List.of("10.139.1.1", "10.139.1.2"), a.dns().stream().map(d -> d.getHostAddress()).toList());
        String addr = Ns.run(a.netns(), "ip", "-4", "-o", "addr", "show", "dev", "eth0").out();
        assertTrue(addr.contains("10.137.0.10/32"), addr);
        String routes = Ns.run(a.netns(), "ip", "-4", "route").out();
        assertTrue(routes.contains("default via 10.137.0.3 dev eth0 onlink"), routes);
        String links = Ns.run(a.netns(), "ip", "-o", "link").out();
        assertEquals(2, links.lines().count(), "only lo and eth0: " + links);
        assertEquals("hello world", Ns.wget(a.netns(), "http://" + WEB + "/"));
    }

    @Test
    void dnsGoesHopByHop() {
        // work -> sys-firewall (DNAT to its netvm's virtual resolvers) -> sys-net (DNAT to the world's).
        assertEquals(List.of(WEB), Ns.lookup(ns("work"), "web.test", "10.139.1.1"));
        assertEquals(List.of(ELEVEN), Ns.lookup(ns("work"), "eleven.test", "10.139.1.2"));
        assertEquals(List.of(WEB), Ns.lookup(ns("direct"), "web.test", "10.139.1.1"));
        assertEquals(List.of(WEB), Ns.lookup(ns("sys-firewall"), "web.test", "10.139.1.1"));
    }

    @Test
    void upstreamSeesOnlyTheNetvmsAddress() throws Exception {
        // A CGI that prints the peer's address, as the world sees it.
        Path dir = Files.createDirectories(tmp.resolve("whoami/cgi-bin"));
        Path cgi = dir.resolve("ip");
        Files.writeString(cgi, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        cgi.toFile().setExecutable(true);
        Process httpd = procs.start(world, "busybox", "httpd", "-f", "-p", WEB + ":8081", "-h", dir.getParent().toString());
        try {
            assertTrue(eventually(() -> !Ns.wget(ns("work"), "http://" + WEB + ":8081/cgi-bin/ip").startsWith("ERR")));
            // Every hop masquerades: the world sees sys-net's uplink address, never a qube's.
            assertEquals("100.64.0.2", Ns.wget(ns("work"), "http://" + WEB + ":8081/cgi-bin/ip"));
            assertEquals("100.64.0.2", Ns.wget(ns("direct"), "http://" + WEB + ":8081/cgi-bin/ip"));
        } finally {
            procs.stop(httpd);
        }
    }

    @Test
    void qubesCannotReachEachOtherUnlessTheUserOpensIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("personal-www"));
        Files.writeString(dir.resolve("index.html"), "personal\n");
        Process httpd = procs.start(ns("personal"), "busybox", "httpd", "-f", "-p", "80", "-h", dir.toString());
        try {
            assertTrue(eventually(() -> Ns.wget(ns("personal"), "http://127.0.0.1/").equals("personal")));
            assertTrue(Ns.wget(ns("work"), "http://10.137.0.11/").startsWith("ERR"));
            assertTrue(Ns.wget(ns("direct"), "http://10.137.0.11/").startsWith("ERR"));
            // As Qubes' docs show: a rule in custom-forward of the common netvm opens it on purpose.
            Cmd.inNs(ns("sys-firewall"), null, "nft", "add", "rule", "ip", "qubes", "custom-forward",
                    "ip", "saddr", "10.137.0.10", "ip", "daddr", "10.137.0.11", "ct", "state", "new,established,related",
                    "accept");
            assertEquals("personal", Ns.wget(ns("work"), "http://10.137.0.11/"));
        } finally {
            Cmd.inNs(ns("sys-firewall"), null, "nft", "flush", "chain", "ip", "qubes", "custom-forward");
            procs.stop(httpd);
        }
    }

    @Test
    void aClientCannotReachServicesOnItsNetvm() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("netvm-www"));
        Files.writeString(dir.resolve("index.html"), "netvm\n");
        Process httpd = procs.start(ns("sys-firewall"), "busybox", "httpd", "-f", "-p", "8000", "-h", dir.toString());
        try {
            assertTrue(eventually(() -> Ns.wget(ns("sys-firewall"), "http://127.0.0.1:8000/").equals("netvm")));
            assertRejected(Ns.wget(ns("work"), "http://10.137.0.3:8000/"));
            // A client of sys-firewall is not a client of sys-net: sys-net's services are closed too.
            assertTrue(Ns.wget(ns("work"), "http://10.137.0.2:8000/").startsWith("ERR"));
            assertTrue(Ns.ping(ns("work"), "10.137.0.3"), "ICMP to the gateway is allowed");
        } finally {
            procs.stop(httpd);
        }
    }

    @Test
    void aQubeSendingFromAnotherAddressIsDropped() throws Exception {
        String w = ns("work");
        Cmd.nft(world, "table ip qubicle-test-count {\n chain in {\n  type filter hook input priority 0;\n"
                + "  icmp type echo-request counter\n }\n}\n");
        try {
            assertTrue(Ns.ping(w, WEB, "-I", "10.137.0.10"));
            long honest = echoRequests();
            assertTrue(honest >= 1);
            // The qube's root can add any address; it takes personal's, then a made-up one.
            Cmd.inNs(w, null, "ip", "addr", "add", "10.137.0.11/32", "dev", "eth0");
            Cmd.inNs(w, null, "ip", "addr", "add", "10.137.0.99/32", "dev", "eth0");
            assertFalse(Ns.ping(w, WEB, "-I", "10.137.0.11"));
            assertFalse(Ns.ping(w, WEB, "-I", "10.137.0.99"));
            assertEquals(honest, echoRequests(), "a spoofed packet reached the world");
        } finally {
            Ns.run(w, "ip", "addr", "del", "10.137.0.11/32", "dev", "eth0");
            Ns.run(w, "ip", "addr", "del", "10.137.0.99/32", "dev", "eth0");
            Ns.run(world, "nft", "delete", "table", "ip", "qubicle-test-count");
        }
    }

    long echoRequests() {
        String out = Cmd.inNs(world, null, "nft", "list", "chain", "ip", "qubicle-test-count", "in");
        var m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void netvmChangesLiveAndTheFirewallMovesWithTheQube() throws Exception {
        NetworkSpec spec = NetworkSpec.client("mover", "10.137.0.20", "sys-firewall");
        net.attach(spec);
        String mover = ns("mover");
        Process sleeper = procs.start(mover, "sleep", "600");
        try {
            firewall("mover", "action=drop dst4=" + ELEVEN, "action=accept");
            assertRejected(Ns.wget(mover, "http://" + ELEVEN + "/"));

            // To an isolated net qube without uplink: no route out, and DNS is dropped there.
            net.attach(NetworkSpec.netQube("sys-iso", "10.137.0.30", Optional.empty()));
            Attachment a = net.rewire("mover", Optional.of("sys-iso"));
            assertEquals(mover, a.netns());
            assertEquals("10.137.0.30", a.gateway().orElseThrow().getHostAddress());
            assertTrue(sleeper.isAlive(), "the qube's processes keep running");
            assertTrue(Ns.wget(mover, "http://" + WEB + "/").startsWith("ERR"));
            assertEquals(List.of(), Ns.lookup(mover, "web.test", "10.139.1.1"));

            // Straight to sys-net: works, and the firewall is now enforced there.
            net.rewire("mover", Optional.of("sys-net"));
            assertEquals("hello world", Ns.wget(mover, "http://" + WEB + "/"));
            assertRejected(Ns.wget(mover, "http://" + ELEVEN + "/"));
            assertTrue(Cmd.inNs(ns("sys-net"), null, "nft", "list", "table", "ip", "qubes-firewall").contains("qbs-10-137-0-20"));
            assertFalse(Cmd.inNs(ns("sys-firewall"), null, "nft", "list", "table", "ip", "qubes-firewall")
                    .contains("qbs-10-137-0-20"));

            // No netvm at all, then back.
            net.rewire("mover", Optional.empty());
            assertTrue(Ns.wget(mover, "http://" + WEB + "/").startsWith("ERR"));
            net.rewire("mover", Optional.of("sys-firewall"));
            assertEquals("hello world", Ns.wget(mover, "http://" + WEB + "/"));
            assertTrue(sleeper.isAlive());
        } finally {
            procs.stop(sleeper);
            net.detach("mover");
            net.attachment("sys-iso").ifPresent(x -> net.detach("sys-iso"));
        }
        assertFalse(Files.exists(Path.of("/run/netns", mover)));
    }

    @Test
    void aNetvmRestartTakesBackItsRunningClients() {
        net.attach(NetworkSpec.netQube("sys-fw2", "10.137.0.40", Optional.of("sys-net")));
        net.attach(NetworkSpec.client("behind", "10.137.0.41", "sys-fw2"));
        try {
            assertEquals("hello world", Ns.wget(ns("behind"), "http://" + WEB + "/"));
            net.detach("sys-fw2");
            assertTrue(Ns.wget(ns("behind"), "http://" + WEB + "/").startsWith("ERR"));
            net.attach(NetworkSpec.netQube("sys-fw2", "10.137.0.40", Optional.of("sys-net")));
            assertEquals("hello world", Ns.wget(ns("behind"), "http://" + WEB + "/"));
        } finally {
            net.detach("behind");
            net.detach("sys-fw2");
        }
    }

    @Test
    void wrongCallsGetQubesErrors() {
        assertThrows(QubesVMNotRunningError.class, () -> net.attach(NetworkSpec.client("x", "10.137.0.50", "nosuch")));
        assertThrows(QubesValueError.class, () -> net.attach(NetworkSpec.client("y", "10.137.0.51", "work")));
        assertThrows(QubesValueError.class, () -> net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-net")));
        assertThrows(QubesValueError.class, () -> net.attach(NetworkSpec.client("twin", "10.137.0.10", "sys-net")),
                "an address in use");
        assertThrows(QubesValueError.class, () -> net.rewire("sys-net", Optional.of("sys-firewall")));
        assertThrows(QubesValueError.class, () -> net.attach(NetworkSpec.netQube("sys-host", "10.137.0.52", Optional.empty())
                .withUplink(Uplink.toHost("100.64.1.2", "100.64.1.1", 30, List.of()))),
                "the host uplink is off by default");
        assertTrue(net.attachment("x").isEmpty() && net.attachment("sys-host").isEmpty());
        assertFalse(Files.exists(Path.of("/run/netns", net.config().nsPrefix() + "sys-host")));
    }
}
