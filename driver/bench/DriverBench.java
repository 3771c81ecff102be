import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.bwrap.BwrapDriver;
import org.qubicle.driver.rootfs.BusyboxRootfs;

/**
 * Driver benchmarks (run by driver/bench/run.sh as root). Prints a Markdown report.
 * Never asserts timings. Arguments: [maxQubes] (default 300).
 */
public class DriverBench {
    static final BwrapDriver D = new BwrapDriver();
    static Path dir;
    static Path rootfs;

    public static void main(String[] args) throws Exception {
        int maxQubes = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        dir = Files.createTempDirectory("qubicle-bench-");
        Files.setAttribute(dir, "unix:mode", 0755);
        rootfs = dir.resolve("rootfs");
        BusyboxRootfs.build(rootfs);
        try {
            System.out.println("| what | n | mean | median | p95 | min | max |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("spawn `true` (baseline)", time(100, () -> run("true")));
            row("bare `bwrap --unshare-all --ro-bind / / true`",
                    time(100, () -> run("bwrap", "--unshare-all", "--ro-bind", "/", "/", "true")));
            QubeSpec s = spec("bench-start", 9000);
            List<Double> starts = new ArrayList<>();
            List<Double> stops = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long t0 = System.nanoTime();
                RunningQube q = D.start(s);
                long t1 = System.nanoTime();
                D.shutdown(q, Duration.ofSeconds(30));
                starts.add((t1 - t0) / 1e6);
                stops.add((System.nanoTime() - t1) / 1e6);
            }
            row("qube start to running (init up)", starts);
            row("qube graceful shutdown incl. cleanup", stops);
            RunningQube q = D.start(s);
            row("exec `true` round trip as root", time(100, () -> exec(q, "root")));
            row("exec `true` round trip as user", time(100, () -> exec(q, "user")));
            D.kill(q);
            System.out.println();
            memory(20);
            System.out.println();
            capacity(maxQubes);
        } finally {
            deleteTree(dir);
        }
    }

    interface Op {
        void run() throws Exception;
    }

    static List<Double> time(int n, Op op) throws Exception {
        for (int i = 0; i < 5; i++) {
            op.run();
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            op.run();
            out.add((System.nanoTime() - t0) / 1e6);
        }
        return out;
    }

    static void row(String what, List<Double> ms) {
        double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = Arrays.stream(a).average().orElse(0);
        System.out.printf("| %s | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n", what, a.length, mean,
                a[a.length / 2], a[(int) Math.ceil(a.length * 0.95) - 1], a[0], a[a.length - 1]);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }

    static void exec(RunningQube q, String user) throws Exception {
        try (QubeProcess p = D.exec(q, ExecSpec.of(user, "true"))) {
            p.stdin().close();
            p.stdout().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(new String(p.stderr().readAllBytes()));
            }
        }
    }

    static QubeSpec spec(String name, int index) throws Exception {
        Path priv = dir.resolve("private").resolve(name);
        Files.createDirectories(priv.resolve("home/user"));
        long base = QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index;
        try (var w = Files.walk(priv)) {
            for (Path p : w.toList()) {
                Files.setAttribute(p, "unix:uid", (int) base);
                Files.setAttribute(p, "unix:gid", (int) base);
            }
        }
        return QubeSpec.of(name, index, rootfs, priv, dir.resolve("var/run/qubes").resolve(name))
                .withLimits(64, 0, 1, 256);
    }

    /** PSS and RSS (kB) of the qube's host processes, from its cgroup, and the cgroup's charge. */
    static long[] qubeMemory(RunningQube q) throws Exception {
        long pss = 0;
        long rss = 0;
        List<Long> pids = new ArrayList<>();
        collect(q.pid(), pids);
        for (long pid : pids) {
            Path roll = Path.of("/proc", Long.toString(pid), "smaps_rollup");
            for (String l : Files.readAllLines(roll)) {
                if (l.startsWith("Pss:")) {
                    pss += Long.parseLong(l.replaceAll("\\D", ""));
                } else if (l.startsWith("Rss:")) {
                    rss += Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        }
        return new long[] {pss, rss, D.stats(q).memoryBytes() / 1024, pids.size()};
    }

    static void collect(long pid, List<Long> out) throws Exception {
        out.add(pid);
        for (Path t : Files.list(Path.of("/proc", Long.toString(pid), "task")).toList()) {
            String c = Files.readString(t.resolve("children")).trim();
            if (!c.isEmpty()) {
                for (String s : c.split("\\s+")) {
                    collect(Long.parseLong(s), out);
                }
            }
        }
    }

    static void memory(int n) throws Exception {
        List<RunningQube> qs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            qs.add(D.start(spec("bench-mem" + i, 9100 + i)));
        }
        Thread.sleep(500);
        long pss = 0;
        long rss = 0;
        long cg = 0;
        long procs = 0;
        for (RunningQube q : qs) {
            long[] m = qubeMemory(q);
            pss += m[0];
            rss += m[1];
            cg += m[2];
            procs += m[3];
        }
        System.out.printf("Idle memory per qube (average of %d idle qubes, %d host processes each): "
                + "PSS %.0f kB, RSS %.0f kB, cgroup charge %.0f kB%n", n, procs / n, pss / (double) n,
                rss / (double) n, cg / (double) n);
        for (RunningQube q : qs) {
            D.kill(q);
        }
        long[] bare = bareBwrapMemory();
        System.out.printf("%nBare `bwrap --unshare-all --ro-bind / / sleep` for comparison: PSS %d kB, RSS %d kB "
                + "(%d processes: bwrap monitor, bwrap pid 1, sleep)%n", bare[0], bare[1], bare[2]);
    }

    static long[] bareBwrapMemory() throws Exception {
        Process p = new ProcessBuilder("bwrap", "--unshare-all", "--ro-bind", "/", "/", "sleep", "1000").start();
        Thread.sleep(500);
        List<Long> pids = new ArrayList<>();
        collect(p.pid(), pids);
        long pss = 0;
        long rss = 0;
        for (long pid : pids) {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (l.startsWith("Pss:")) {
                    pss += Long.parseLong(l.replaceAll("\\D", ""));
                } else if (l.startsWith("Rss:")) {
                    rss += Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        }
        p.destroyForcibly();
        p.waitFor();
        return new long[] {pss, rss, pids.size()};
    }

    static void capacity(int max) throws Exception {
        List<RunningQube> qs = new ArrayList<>();
        long t0 = System.nanoTime();
        String stop = "reached " + max;
        for (int i = 0; i < max; i++) {
            try {
                qs.add(D.start(spec("bench-cap" + i, 10000 + i)));
            } catch (RuntimeException e) {
                stop = "start " + i + " failed: " + e.getMessage();
                break;
            }
        }
        double startS = (System.nanoTime() - t0) / 1e9;
        long avail = 0;
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith("MemAvailable:")) {
                avail = Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        int alive = 0;
        for (RunningQube q : qs) {
            if (D.isRunning(q)) {
                alive++;
            }
        }
        long t1 = System.nanoTime();
        for (RunningQube q : qs) {
            D.shutdown(q, Duration.ofSeconds(30));
        }
        double stopS = (System.nanoTime() - t1) / 1e9;
        System.out.printf("Concurrent qubes: %d started in %.1f s (%s); %d running at once; MemAvailable then "
                + "%d MB; all stopped in %.1f s%n", qs.size(), startS, stop, alive, avail / 1024, stopS);
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
