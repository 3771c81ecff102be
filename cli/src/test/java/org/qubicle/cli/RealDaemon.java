package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real qubesd as its own process on a temporary root, and the tools run as a user runs
 * them: each its own JVM, the main class {@code bin/tools.tsv} names, with the launcher's
 * JVM options and this build's classes. For integration tests (root).
 */
final class RealDaemon implements AutoCloseable {
    record Result(int code, String out, String err) {
    }

    final Path root;
    private final Process daemon;

    RealDaemon(String prefix) throws Exception {
        root = Files.createTempDirectory(prefix);
        // The qubes' own uids must traverse to their runtime and private directories.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        // As bin/qubesd starts it: programs through vfork (see bin/qubicle-launcher).
        ProcessBuilder pb = new ProcessBuilder(java(), "-Djdk.lang.Process.launchMechanism=VFORK", "-cp", classPath(),
                "org.qubicle.daemon.Qubesd");
        pb.environment().put("QUBES_ROOT", root.toString());
        pb.redirectErrorStream(true).redirectOutput(root.resolve("qubesd.log").toFile());
        daemon = pb.start();
        Path socket = root.resolve("var/run/qubesd.sock");
        for (int i = 0; i < 600 && !Files.exists(socket); i++) {
            assertTrue(daemon.isAlive(), this::log);
            Thread.sleep(100);
        }
        assertTrue(Files.exists(socket), this::log);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static String mainClass(String tool) throws IOException {
        Path tsv = Path.of(System.getProperty("qubicle.checkout", ".."), "bin", "tools.tsv");
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t");
            if (f.length == 2 && f[0].equals(tool)) {
                return f[1];
            }
        }
        throw new AssertionError(tool + " is not in " + tsv);
    }

    String log() {
        try {
            return "\nqubesd log:\n" + Files.readString(root.resolve("qubesd.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The tool's command line (the launcher's JVM options). */
    List<String> command(String tool, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dqubicle.tool=" + tool, "-cp", classPath(), mainClass(tool)));
        cmd.addAll(List.of(args));
        return cmd;
    }

    ProcessBuilder builder(String tool, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(tool, args));
        pb.environment().put("QUBES_ROOT", root.toString());
        return pb;
    }

    /** Runs a tool with stdin from {@code input} (none: /dev/null). */
    Result run(byte[] input, String tool, String... args) throws Exception {
        Path out = Files.createTempFile("qvm-out", "");
        Path err = Files.createTempFile("qvm-err", "");
        try {
            ProcessBuilder pb = builder(tool, args).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (input == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            if (input != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(input);
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.MINUTES), tool + " hung");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    Result ok(String tool, String... args) throws Exception {
        Result r = run(null, tool, args);
        assertEquals(0, r.code(), () -> tool + " " + String.join(" ", args) + ": " + r.out() + r.err() + log());
        return r;
    }

    Result code(int expected, String tool, String... args) throws Exception {
        Result r = run(null, tool, args);
        assertEquals(expected, r.code(), () -> tool + " " + String.join(" ", args) + ": " + r.out() + r.err());
        return r;
    }

    String state(String vm) throws Exception {
        return ok("qvm-ls", "--raw-data", "-O", "state", vm).out().strip();
    }

    /** Kills every qube, stops the daemon, removes the root. */
    @Override
    public void close() throws Exception {
        try {
            if (daemon.isAlive()) {
                run(null, "qvm-kill", "--all");
                daemon.destroy();
                if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
