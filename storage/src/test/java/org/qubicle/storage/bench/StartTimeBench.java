package org.qubicle.storage.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;
import org.qubicle.storage.file.FilePoolDriver;

/**
 * Benchmark, not a test: how long an AppVM's root takes to start (start + mount) and stop
 * for templates of different sizes, against how long the template's own start takes.
 * Prints medians; asserts nothing. Needs root. Run (see docs/storage.md):
 *
 * <pre>
 * java -cp storage/target/classes:storage/target/test-classes:model/target/classes \
 *     org.qubicle.storage.bench.StartTimeBench /var/tmp/qubicle-bench 100 4096
 * </pre>
 * Arguments: a scratch directory, then template data sizes in MiB.
 */
public final class StartTimeBench {
    private static final long MIB = 1L << 20;
    private static final int RUNS = 10;

    private StartTimeBench() {}

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "/var/tmp/qubicle-bench");
        List<Long> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Long.parseLong(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100L, 4096L);
        }
        Path dir = Files.createDirectories(base.resolve("var/lib/qubes"));
        Pool pool = new FilePoolDriver(base.resolve("run/qubes"))
                .open(new PoolConfig("bench", "file", Map.of("dir_path", dir.toString(), "revisions_to_keep", "0")));
        pool.setup();
        System.out.printf("%-10s %-12s %-18s %-18s %-20s %-16s%n", "template", "image size", "tpl start copy ms",
                "tpl start precache", "AppVM start+mount ms", "AppVM stop ms");
        for (long mib : sizes) {
            run(pool, mib);
        }
    }

    private static void run(Pool pool, long dataMib) throws IOException {
        String name = "bench" + dataMib;
        long imageSize = (dataMib + dataMib / 5 + 64) * MIB;
        Volume tpl = pool.volume(VolumeConfig.origin("root", "bench", VolumeId.forQube(true, name, "root"), imageSize, 0));
        tpl.create();
        tpl.start();
        try (Mounted m = tpl.mount()) {
            fill(m.path().resolve("payload"), dataMib * MIB);
        }
        tpl.stop();

        Path precache = dir(pool).resolve("vm-templates").resolve(name).resolve("root-precache.img");
        double[] tplCold = new double[3];
        double[] tplWarm = new double[3];
        for (int i = 0; i < tplCold.length; i++) {
            await(pool);
            Files.deleteIfExists(precache);
            long t0 = System.nanoTime();
            tpl.start();
            tplCold[i] = ms(t0);
            tpl.stop();
            await(pool);
            t0 = System.nanoTime();
            tpl.start();
            tplWarm[i] = ms(t0);
            tpl.stop();
        }
        await(pool);

        Volume app = pool.volume(VolumeConfig.snapshot("root", "bench", VolumeId.forQube(false, name + "-app", "root"),
                tpl.config().vid(), imageSize));
        double[] start = new double[RUNS];
        double[] stop = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            app.start();
            Mounted m = app.mount();
            start[i] = ms(t0);
            if (!Files.exists(m.path().resolve("payload"))) {
                throw new IllegalStateException("the AppVM does not see the template's root");
            }
            long t1 = System.nanoTime();
            app.stop();
            stop[i] = ms(t1);
        }
        tpl.remove();
        System.out.printf("%-10s %-12s %-18.0f %-18.1f %-20.1f %-16.1f%n", dataMib + " MiB", imageSize / MIB + " MiB",
                median(tplCold), median(tplWarm), median(start), median(stop));
    }

    private static Path dir(Pool pool) {
        return Path.of(pool.config().option("dir_path").orElseThrow());
    }

    private static void await(Pool pool) {
        try {
            pool.awaitBackgroundWork();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[(int) MIB];
        new Random(1).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += chunk.length) {
                chunk[0]++;
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - done));
            }
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
