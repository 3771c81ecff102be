package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.firewall.FirewallRule;

/**
 * The whole network stack, for real, in namespaces this test makes: a "world" namespace
 * plays the internet (HTTP on 198.51.100.10 and .11, DNS on .53), sys-net's uplink is a veth
 * to it, sys-firewall sits behind sys-net, and app qubes behind sys-firewall are empty
 * namespaces where busybox runs. Nothing leaves this machine.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NetworkFixture {
    static final String WEB = "198.51.100.10";
    static final String ELEVEN = "198.51.100.11";
    static final String DNS = "198.51.100.53";

    LeakCheck before;
    Path tmp;
    final Ns procs = new Ns();
    Network net;
    String world;

    @BeforeAll
    void setUpWorld() throws Exception {
        before = LeakCheck.snapshot();
        String inst = "t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24, 1 << 28));
        net = Network.open(new NetworkConfig(inst.substring(0, Math.min(8, inst.length())), false));
        world = "qubicle-test-" + net.config().instance() + "-world";
        tmp = Files.createTempDirectory("qubicle-net-it");
        Cmd.run(null, "ip", "netns", "add", world);
        Cmd.run("link set lo up\naddr add " + WEB + "/32 dev lo\naddr add " + ELEVEN + "/32 dev lo\naddr add " + DNS
                + "/32 dev lo\n", "ip", "-n", world, "-batch", "-");
        httpd(WEB + ":80", "hello world");
        httpd(WEB + ":8080", "hello 8080");
        httpd(ELEVEN + ":80", "hello eleven");
        procs.start(world, "busybox", "nc", "-ll", "-p", "7000", "-e", "/bin/cat");
        procs.startDns(world, DNS, 53, "web.test=" + WEB, "eleven.test=" + ELEVEN);
        net.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty())
                .withUplink(Uplink.toNamespace(Path.of("/run/netns", world), "100.64.0.2", "100.64.0.1", 30, List.of(DNS))));
        net.attach(NetworkSpec.netQube("sys-firewall", "10.137.0.3", Optional.of("sys-net")));
        setUpQubes();
        // The servers start in the background: wait until the world answers at all.
        for (int i = 0; i < 50 && !Ns.wget(world, "http://" + WEB + "/").equals("hello world"); i++) {
            Thread.sleep(100);
        }
    }

    /** Attaches the qubes a test class needs. */
    abstract void setUpQubes() throws Exception;

    @AfterAll
    void tearDown() throws Exception {
        try {
            net.close();
            procs.stopAll();
            Links.deleteNs(world);
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } finally {
            assertEquals(List.of(), LeakCheck.leaksSince(before), "the network left something behind");
        }
    }

    String ns(String qube) {
        return net.attachment(qube).orElseThrow().netns();
    }

    void httpd(String bind, String body) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(bind.replace(':', '_')));
        Files.writeString(dir.resolve("index.html"), body + "\n");
        procs.start(world, "busybox", "httpd", "-f", "-p", bind, "-h", dir.toString());
    }

    void firewall(String qube, String... rules) {
        net.applyFirewall(qube, Stream.of(rules).map(FirewallRule::parse).toList());
    }

    static void assertRejected(String result) {
        // Qubes' drop is a reject with admin-prohibited: the client fails at once with
        // EHOSTUNREACH, instead of waiting for a timeout.
        assertTrue(result.contains("No route to host"), "expected an immediate ICMP reject, got: " + result);
    }

    static void assertFails(String result) {
        assertTrue(result.startsWith("ERR"), "expected a failure, got: " + result);
    }

    /** Repeats {@code check} until it is true or 30 s passed; for things that happen by themselves. */
    static boolean eventually(java.util.function.BooleanSupplier check) throws InterruptedException {
        for (int i = 0; i < 150; i++) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    static void assertThrowsQubes(Runnable r) {
        assertThrows(QubesException.class, r::run);
    }
}
