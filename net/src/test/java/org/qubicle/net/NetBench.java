package org.qubicle.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.qubicle.model.firewall.FirewallRule;
import org.qubicle.net.bench.TcpBench;

/**
 * The network benchmark (net/bench/run.sh; not a test, asserts nothing): TCP throughput and
 * connection rate from a qube to a "world" namespace through sys-firewall and sys-net,
 * beside a direct veth between two namespaces; and how long applying a firewall takes until
 * it is enforced. Prints a Markdown table.
 */
public final class NetBench {
    private NetBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Ns procs = new Ns();
        String inst = "bench";
        String world = "qubicle-bench-world";
        String a = "qubicle-bench-a";
        String b = "qubicle-bench-b";
        try (Network net = Network.open(new NetworkConfig(inst, false))) {
            Cmd.run(null, "ip", "netns", "add", world);
            Cmd.run(null, "ip", "netns", "add", a);
            Cmd.run(null, "ip", "netns", "add", b);
            Cmd.run("link set lo up\naddr add 198.51.100.10/32 dev lo\n", "ip", "-n", world, "-batch", "-");
            Cmd.run(null, "ip", "-n", a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", b);
            Cmd.run("link set lo up\nlink set eth0 up\naddr add 10.200.0.1/30 dev eth0\n", "ip", "-n", a, "-batch", "-");
            Cmd.run("link set lo up\nlink set eth0 up\naddr add 10.200.0.2/30 dev eth0\n", "ip", "-n", b, "-batch", "-");
            net.attach(NetworkSpec.netQube("sys-net", "10.137.0.2", Optional.empty())
                    .withUplink(Uplink.toNamespace(Path.of("/run/netns", world), "100.64.0.2", "100.64.0.1", 30, List.of())));
            net.attach(NetworkSpec.netQube("sys-firewall", "10.137.0.3", Optional.of("sys-net")));
            Attachment work = net.attach(NetworkSpec.client("work", "10.137.0.10", "sys-firewall"));
            // A realistic ruleset: a few rules before the one that accepts.
            net.applyFirewall("work", rules(10));

            sink(procs, world, "0.0.0.0");
            sink(procs, b, "0.0.0.0");
            List<String> rows = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double direct = tool(a, "source", "10.200.0.2", seconds);
                double qube = tool(work.netns(), "source", "198.51.100.10", seconds);
                double directC = tool(a, "connect", "10.200.0.2", seconds);
                double qubeC = tool(work.netns(), "connect", "198.51.100.10", seconds);
                rows.add(String.format("| %d | %.0f | %.0f | %.0f%% | %.0f | %.0f | %.0f%% |", r + 1, direct, qube,
                        100 * qube / direct, directC, qubeC, 100 * qubeC / directC));
            }
            System.out.println("| round | direct MB/s | qube→world MB/s | ratio | direct conn/s | qube→world conn/s | ratio |");
            System.out.println("|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);

            System.out.println();
            System.out.println("| rules | applyFirewall ms (median of 5) | enforced when it returned |");
            System.out.println("|---|---|---|");
            for (int n : new int[] {1, 10, 100, 1000}) {
                long[] ms = new long[5];
                boolean enforced = true;
                for (int i = 0; i < ms.length; i++) {
                    List<FirewallRule> rs = i % 2 == 0 ? rules(n) : blockAll(n);
                    long t0 = System.nanoTime();
                    net.applyFirewall("work", rs);
                    ms[i] = (System.nanoTime() - t0) / 1_000_000;
                    // The nft transaction is committed when applyFirewall returns: check at once.
                    boolean reached = Cmd.execInNs(work.netns(), null, "timeout", "3", "busybox", "nc", "198.51.100.10",
                            "7002").err().contains("refused");
                    enforced &= reached == (i % 2 == 0);
                }
                java.util.Arrays.sort(ms);
                System.out.printf("| %d | %d | %s |%n", n, ms[ms.length / 2], enforced ? "yes" : "NO");
            }
        } finally {
            procs.stopAll();
            for (String ns : List.of(world, a, b)) {
                Links.deleteNs(ns);
            }
        }
    }

    /** {@code n-1} drop rules for other networks, then accept all. */
    static List<FirewallRule> rules(int n) {
        List<FirewallRule> out = new ArrayList<>(IntStream.range(0, n - 1).mapToObj(i ->
                FirewallRule.parse("action=drop dst4=203.0." + (i / 250) + "." + (i % 250 + 1) + " proto=tcp dstports=443"))
                .toList());
        out.add(FirewallRule.parse("action=accept"));
        return out;
    }

    /** {@code n} drop rules for other networks, then the implicit drop. */
    static List<FirewallRule> blockAll(int n) {
        List<FirewallRule> out = new ArrayList<>(rules(n));
        out.removeLast();
        return out;
    }

    static void sink(Ns procs, String ns, String bind) throws Exception {
        Process p = procs.start(ns, java(), "-cp", System.getProperty("java.class.path"), TcpBench.class.getName(), "sink",
                bind, "7000");
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        if (!"ready".equals(line)) {
            throw new IllegalStateException("sink did not start: " + line);
        }
    }

    static double tool(String ns, String mode, String host, double seconds) {
        String port = mode.equals("connect") ? "7001" : "7000";
        Cmd.Result r = Cmd.execInNs(ns, null, java(), "-cp", System.getProperty("java.class.path"),
                TcpBench.class.getName(), mode, host, port, Double.toString(seconds));
        if (!r.ok()) {
            throw new IllegalStateException(mode + " failed: " + r.err());
        }
        return Double.parseDouble(r.out().strip());
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
