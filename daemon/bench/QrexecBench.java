import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qubicle.api.client.AdminClient;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.rootfs.BusyboxRootfs;

/**
 * qrexec benchmark (not a test; asserts nothing). Run by daemon/bench/qrexec.sh as root.
 * Starts a daemon in this JVM on a temporary root with two busybox qubes, then measures:
 * cold calls (qrexec-client-vm started in the caller qube per call, JVM included), warm calls
 * (one process of the caller qube's uid making call after call), and qvm-copy of 1 GiB,
 * each beside a baseline measured in the same run.
 */
public final class QrexecBench {
    static Daemon daemon;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("peer")) {
            peer(Path.of(args[1]), Integer.parseInt(args[2]), args[3]);
            return;
        }
        int cold = Integer.parseInt(System.getProperty("cold", "60"));
        int warm = Integer.parseInt(System.getProperty("warm", "2000"));
        Path root = Files.createTempDirectory("qubicle-qrexecbench");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        daemon = Daemon.start(new QubesPaths(root));
        try {
            AdminClient a = new AdminClient(daemon.paths().adminSocket());
            a.callText("dom0", "admin.vm.Create.TemplateVM", "", "name=bmin label=black");
            Path tree = root.resolve("var/lib/qubes/vm-templates/bmin/root-tree");
            BusyboxRootfs.build(tree);
            Files.createDirectories(tree.resolve("etc/qubes-rpc"));
            Path nop = tree.resolve("etc/qubes-rpc/test.Nop");
            Files.writeString(nop, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(nop, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String q : List.of("bwork", "bvault")) {
                a.callText("dom0", "admin.vm.Create.AppVM", "bmin", "name=" + q + " label=blue");
                a.callText(q, "admin.vm.property.Set", "memory", "1000");
                try {
                    // pool storage: the 1 GiB file and its copy must fit in the private volume
                    a.callText(q, "admin.vm.volume.Resize", "private", Long.toString(4L << 30));
                } catch (RuntimeException e) {
                    System.out.println("(no private volume resize: " + e.getMessage() + ")");
                }
            }
            Files.writeString(root.resolve("etc/qubes/policy.d/30-bench.policy"),
                    "test.Nop * bwork bvault allow\ntest.NopSock * bwork bvault allow\nqubes.Filecopy * bwork bvault allow\n");
            // the in-qube tools' AOT cache is trained in the background at daemon start
            Path aot = root.resolve("var/lib/qubes/qubicle-agent/lib/agent.aot");
            for (int i = 0; i < 600 && !Files.exists(aot); i++) {
                Thread.sleep(100);
            }
            System.out.println("AOT cache for the in-qube tools: " + (Files.exists(aot) ? "yes" : "no"));
            a.callText("bwork", "admin.vm.Start", "", "");
            a.callText("bvault", "admin.vm.Start", "", "");

            // A socket service in bvault, as a resident server there would offer it: the socket
            // lives in the qube's /etc/qubes-rpc; a host thread (bound through the qube's root)
            // stands in for the server, reads the call to its end and closes (exit code 0).
            java.nio.channels.ServerSocketChannel nopSock = java.nio.channels.ServerSocketChannel.open(
                    StandardProtocolFamily.UNIX);
            nopSock.bind(UnixDomainSocketAddress.of(insideQube("bvault", "/etc/qubes-rpc/test.NopSock")));
            Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try (SocketChannel c = nopSock.accept()) {
                        Channels.newInputStream(c).transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        return;
                    }
                }
            });

            System.out.println("== cold, timed on the host: one process per call, started by the driver in bwork ("
                    + cold + " runs)");
            report("baseline: driver exec of busybox true", times(cold, "true"));
            report("baseline: driver exec of the in-qube JVM alone (qrexec-client-vm --help)",
                    times(cold, "qrexec-client-vm", "--help"));
            report("qrexec-client-vm bvault test.Nop (JVM + call)", times(cold, "qrexec-client-vm", "bvault", "test.Nop"));
            report("qrexec-client-vm bvault test.NopSock (JVM + call of a socket service)",
                    times(cold, "qrexec-client-vm", "bvault", "test.NopSock"));

            System.out.println("== warm: one process as bwork's user makes " + warm + " calls in a row");
            long uid = daemon.lifecycle().handle("bwork").orElseThrow().spec().baseUid() + 1000;
            Path sock = root.resolve("var/run/qubes/bwork/qrexec/agent.sock");
            report("baseline: same client, trivial in-process server (socket + header + exit frame)",
                    peerTimes(uid, sock, warm, "baseline"));
            report("call bvault test.Nop through the daemon", peerTimes(uid, sock, warm, "call"));
            report("call bvault test.NopSock (socket service, no process in bvault) through the daemon",
                    peerTimes(uid, sock, warm, "sockcall"));

            // Cold calls again, as a user in bwork runs the client: timed inside the qube from
            // fork to exit (ColdRunner), so no host exec is around each run; and now against a
            // daemon whose call path the warm calls above have compiled, as a daemon that has
            // run a while has it (above, the fresh daemon's JIT competes with each client's
            // start for the two cores).
            System.out.println("== cold, timed inside bwork, daemon warmed: one process per call, forked by a resident"
                    + " JVM there (" + cold + " runs each, interleaved)");
            Files.copy(Path.of(System.getProperty("bench.src")).resolveSibling("ColdRunner.java"),
                    insideQube("bwork", "/tmp/ColdRunner.java"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String runner = inQubeOutput("bwork", "Q=/usr/lib/qubicle; [ -x $Q/bin/qubicle-agent ] || Q=/run/qubicle; "
                    + "$Q/sys/ld-linux-x86-64.so.2 --library-path $Q/sys $Q/jdk/bin/java -XX:+UseSerialGC"
                    + " -Djdk.lang.Process.launchMechanism=VFORK /tmp/ColdRunner.java " + cold + " bvault test.NopSock");
            report("baseline: fork and exec of busybox true", kind(runner, "true"));
            report("baseline: the in-qube JVM alone (qrexec-client-vm --help)", kind(runner, "help"));
            report("qrexec-client-vm bvault test.NopSock (JVM + call of a socket service)", kind(runner, "call"));

            System.out.println("== qvm-copy of 1 GiB from bwork to bvault");
            inQube("bwork", "head -c 1073741824 /dev/zero > big && sync");
            // Timed twice: until the command returns (what its user waits for), and until the
            // data is on the disk (the command, then a timed sync).
            double base = seconds("bwork", "cp big big.copy");
            double baseSync = seconds("bwork", "sync");
            System.out.printf("baseline: cp of the same file inside bwork: %.2f s, %.0f MB/s; with sync %.2f s, %.0f MB/s%n",
                    base, 1073.741824 / base, base + baseSync, 1073.741824 / (base + baseSync));
            // The receiving side's own ceiling: 1 GiB written from user space into bvault's private
            // volume in 1 MiB steps (cp above copies inside the kernel).
            double dd = seconds("bvault", "dd if=/dev/zero of=dd.out bs=1048576 count=1024 2>/dev/null");
            inQube("bvault", "sync; rm dd.out; sync");
            System.out.printf("baseline: dd of 1 GiB into bvault in 1 MiB writes: %.2f s, %.0f MB/s%n", dd,
                    1073.741824 / dd);
            // Then rounds of: the same dd past the page cache (O_DIRECT), as the receiver writes a
            // large file, and the copy itself, whose result is checked byte for byte.
            int rounds = Integer.getInteger("copies", 5);
            double[] direct = new double[rounds];
            double[] copies = new double[rounds];
            double[] synced = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                direct[r] = seconds("bvault", "dd if=/dev/zero of=dd.out bs=1048576 count=1024 oflag=direct 2>/dev/null");
                inQube("bvault", "rm dd.out; sync");
                long[] cpu0 = cpuNanos();
                copies[r] = seconds("bwork", "qvm-copy-to-vm bvault --without-progress big");
                long[] cpu1 = cpuNanos();
                synced[r] = copies[r] + seconds("bwork", "sync");
                inQube("bvault", "head -c 1073741824 /dev/zero | cmp -s - QubesIncoming/bwork/big"
                        + " && rm QubesIncoming/bwork/big && sync");
                System.out.printf("round %d: dd in direct writes %.0f MB/s; qvm-copy-to-vm %.0f MB/s, with sync %.0f MB/s;"
                        + " CPU (share of one core) sender qube %s, daemon %s, receiver qube %s%n",
                        r + 1, 1073.741824 / direct[r], 1073.741824 / copies[r], 1073.741824 / synced[r],
                        share(cpu0[0], cpu1[0], copies[r]), share(cpu0[1], cpu1[1], copies[r]),
                        share(cpu0[2], cpu1[2], copies[r]));
            }
            System.out.printf("baseline: dd of 1 GiB into bvault in 1 MiB direct writes (median of %d): %.0f MB/s%n",
                    rounds, 1073.741824 / median(direct));
            System.out.printf("qvm-copy-to-vm bvault big (median of %d): %.2f s, %.0f MB/s; with sync %.0f MB/s%n",
                    rounds, median(copies), 1073.741824 / median(copies), 1073.741824 / median(synced));
        } finally {
            for (String q : List.of("bwork", "bvault")) {
                try {
                    new AdminClient(daemon.paths().adminSocket()).callText(q, "admin.vm.Kill", "", "");
                } catch (RuntimeException e) {
                    // not running
                }
                // and whatever the API could not stop, directly
                daemon.lifecycle().handle(q).ifPresent(rq -> daemon.lifecycle().driver().kill(rq));
            }
            daemon.close();
            try (var s = Files.walk(root)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Where the host sees {@code path} of a running qube: through its pid 1's root. */
    static Path insideQube(String vm, String path) throws IOException {
        long outer = daemon.lifecycle().handle(vm).orElseThrow().pid();
        String pid1 = Files.readString(Path.of("/proc/" + outer + "/task/" + outer + "/children")).trim().split(" ")[0];
        return Path.of("/proc/" + pid1 + "/root" + path);
    }

    static void inQube(String vm, String script) throws Exception {
        RunningQube rq = daemon.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of("user", "sh", "-c", "PATH=$PATH:/run/qubicle/bin; " + script))) {
            p.stdin().close();
            p.stdout().transferTo(OutputStream.nullOutputStream());
            String err = new String(p.stderr().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException(script + ": " + err);
            }
        }
    }

    /** CPU used between two readings over {@code seconds}, or "n/a" (a cgroup v1 host without cpuacct beside cpu). */
    static String share(long before, long after, double seconds) {
        return before < 0 || after < 0 ? "n/a" : String.format("%.0f %%", (after - before) / seconds / 1e7);
    }

    /** CPU time used so far by bwork, by this JVM (the daemon, idle otherwise), and by bvault. */
    static long[] cpuNanos() {
        var driver = daemon.lifecycle().driver();
        long self = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        return new long[] {driver.stats(daemon.lifecycle().handle("bwork").orElseThrow()).cpuNanos(), self,
                driver.stats(daemon.lifecycle().handle("bvault").orElseThrow()).cpuNanos()};
    }

    /** Runs {@code script} as bwork's user; returns its stdout, or fails with its stderr. */
    static String inQubeOutput(String vm, String script) throws Exception {
        RunningQube rq = daemon.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of("user", "sh", "-c", "PATH=$PATH:/run/qubicle/bin; " + script))) {
            p.stdin().close();
            var err = new java.io.ByteArrayOutputStream();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    p.stderr().transferTo(err);
                } catch (IOException e) {
                    // gone
                }
            });
            String out = new String(p.stdout().readAllBytes());
            t.join();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(script + ": " + err);
            }
            return out;
        }
    }

    /** The times of one kind in ColdRunner's output. */
    static long[] kind(String runnerOutput, String kind) {
        return runnerOutput.lines().filter(l -> l.startsWith(kind + " "))
                .mapToLong(l -> Long.parseLong(l.substring(kind.length() + 1))).toArray();
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static double seconds(String vm, String script) throws Exception {
        long t0 = System.nanoTime();
        inQube(vm, script);
        return (System.nanoTime() - t0) / 1e9;
    }

    static long[] times(int n, String... cmd) throws Exception {
        RunningQube rq = daemon.lifecycle().handle("bwork").orElseThrow();
        long[] t = new long[n];
        for (int i = -3; i < n; i++) {
            long t0 = System.nanoTime();
            List<String> c = new ArrayList<>(List.of("sh", "-c", "PATH=$PATH:/run/qubicle/bin; exec \"$@\"", "sh"));
            c.addAll(List.of(cmd));
            try (QubeProcess p = daemon.lifecycle().driver().exec(rq, new ExecSpec("user", c, java.util.Map.of()))) {
                p.stdin().close();
                p.stdout().transferTo(OutputStream.nullOutputStream());
                p.stderr().transferTo(OutputStream.nullOutputStream());
                int rc = p.waitFor();
                if (rc != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " exit " + rc);
                }
            }
            if (i >= 0) {
                t[i] = System.nanoTime() - t0;
            }
        }
        return t;
    }

    static long[] peerTimes(long uid, Path sock, int n, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String src = Path.of(System.getProperty("bench.src")).toString();
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", java,
                "-cp", System.getProperty("java.class.path"), src, "peer", sock.toString(), Integer.toString(n), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("peer failed");
        }
        return Arrays.stream(out.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }

    static void report(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%s: p50 %.2f ms, p99 %.2f ms (n=%d)%n", what, s[s.length / 2] / 1e6,
                s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1e6, s.length);
    }

    /** In the child (the caller qube's uid): n calls, each printed in ns. */
    static void peer(Path sock, int n, String mode) throws Exception {
        Path s = sock;
        Thread server = null;
        if (mode.equals("baseline")) {
            s = Files.createTempDirectory("qbench").resolve("s");
            var ss = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ss.bind(UnixDomainSocketAddress.of(s));
            server = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try (SocketChannel c = ss.accept()) {
                        DataInputStream in = new DataInputStream(Channels.newInputStream(c));
                        while (in.read() != '\n') {
                            // header
                        }
                        in.readFully(new byte[5]); // end of input
                        DataOutputStream o = new DataOutputStream(Channels.newOutputStream(c));
                        o.write(new byte[] {1, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0});
                        o.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }
        List<Long> t = new ArrayList<>();
        byte[] req = (mode.equals("sockcall") ? "bvault test.NopSock\n" : "bvault test.Nop\n").getBytes();
        for (int i = -Math.min(200, n / 5); i < n; i++) {
            long t0 = System.nanoTime();
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(s));
                OutputStream o = Channels.newOutputStream(c);
                o.write(Arrays.copyOf(req, req.length + 5)); // header, then STDIN type 0 length 0
                o.flush();
                DataInputStream in = new DataInputStream(Channels.newInputStream(c));
                while (true) {
                    int type = in.read();
                    int len = in.readInt();
                    in.skipNBytes(len);
                    if (type == 3 || type == 4 || type == 5 || type < 0) {
                        if (type != 3) {
                            throw new IOException("call failed: type " + type);
                        }
                        break;
                    }
                }
            }
            if (i >= 0) {
                t.add(System.nanoTime() - t0);
            }
        }
        StringBuilder b = new StringBuilder();
        for (long x : t) {
            b.append(x).append('\n');
        }
        System.out.print(b);
    }
}
