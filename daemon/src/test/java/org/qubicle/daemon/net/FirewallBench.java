package org.qubicle.daemon.net;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.rootfs.BusyboxRootfs;

/**
 * Benchmark (daemon/bench/net-firewall.sh; not a test, asserts nothing): how long from the
 * start of {@code qvm-firewall work add} (its {@code admin.vm.firewall.Get} then {@code Set},
 * through the daemon's socket) until the rule is enforced in sys-firewall, for a qube behind
 * sys-firewall and sys-net (busybox qubes, a world namespace). Enforcement is synchronous, so
 * the call's return is the figure; each time a connection from the qube right after the return
 * checks that the new rule already holds. Prints Markdown.
 */
public final class FirewallBench {
    private FirewallBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path root = Files.createTempDirectory("qubicle-fwbench");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        World world = new World(Files.createDirectory(root.resolve("world")));
        Daemon daemon = Daemon.start(new QubesPaths(root));
        try {
            Api api = new Api(daemon.paths().adminSocket());
            api.ok("admin.vm.Create.TemplateVM", "", "dom0", "name=nmin label=black");
            BusyboxRootfs.build(root.resolve("var/lib/qubes/vm-templates/nmin/root-tree"));
            for (String[] q : new String[][] {{"sys-net", ""}, {"sys-firewall", "sys-net"}, {"work", "sys-firewall"}}) {
                api.ok("admin.vm.Create.AppVM", "nmin", "dom0", "name=" + q[0] + " label=red");
                api.set(q[0], "netvm", q[1]);
                api.set(q[0], "memory", "64");
                if (!q[0].equals("work")) {
                    api.set(q[0], "provides_network", "True");
                }
            }
            api.feature("sys-net", "net.uplink", "netns:" + world.ns);
            api.feature("sys-net", "net.uplink-address", "100.64.0.2/30");
            api.ok("admin.vm.Start", "", "work");
            List<Double> add = new ArrayList<>();
            List<Double> del = new ArrayList<>();
            int enforced = 0;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                String rules = api.ok("admin.vm.firewall.Get", "", "work");
                api.ok("admin.vm.firewall.Set", "", "work", "action=drop dst4=198.51.100.10/32\n" + rules);
                add.add((System.nanoTime() - t0) / 1e6);
                if (wget(daemon, "work").contains("No route to host")) {
                    enforced++;
                }
                t0 = System.nanoTime();
                rules = api.ok("admin.vm.firewall.Get", "", "work");
                api.ok("admin.vm.firewall.Set", "", "work", rules.substring(rules.indexOf('\n') + 1));
                del.add((System.nanoTime() - t0) / 1e6);
                if (wget(daemon, "work").contains("hello")) {
                    enforced++;
                }
            }
            System.out.println("| qvm-firewall step (Get + Set through the socket) | median ms | min | max |");
            System.out.println("|---|---|---|---|");
            System.out.println(row("add a drop rule until enforced", add));
            System.out.println(row("delete it until enforced", del));
            System.out.printf("enforced when the call returned: %d of %d checks%n", enforced, 2 * rounds);
            System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
            api.ok("admin.vm.Kill", "", "work");
            api.ok("admin.vm.Kill", "", "sys-firewall");
            api.ok("admin.vm.Kill", "", "sys-net");
        } finally {
            daemon.close();
            world.close();
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String row(String what, List<Double> ms) {
        List<Double> s = ms.stream().sorted().toList();
        return String.format("| %s | %.1f | %.1f | %.1f |", what, s.get(s.size() / 2), s.get(0), s.get(s.size() - 1));
    }

    private static String wget(Daemon d, String vm) throws Exception {
        var rq = d.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = d.lifecycle().driver().exec(rq, ExecSpec.of("user", "sh", "-c",
                "timeout 6 wget -q -O - http://" + World.WEB + "/ 2>&1"))) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes());
            p.waitFor();
            return out;
        }
    }
}
