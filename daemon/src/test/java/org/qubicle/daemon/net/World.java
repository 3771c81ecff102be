package org.qubicle.daemon.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A "world" namespace a test makes to play the internet: HTTP on 198.51.100.10 (:80 and
 * :8080) and 198.51.100.11, an echo server on .10:7000, DNS on .53 ({@link org.qubicle.net.testing.TinyDns}), and
 * an nft counter of what arrives from outside. sys-net's uplink goes here, never to the host.
 */
final class World implements AutoCloseable {
    static final String WEB = "198.51.100.10";
    static final String ELEVEN = "198.51.100.11";
    static final String DNS = "198.51.100.53";

    final String ns = "qubicle-test-w" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
    private final List<Process> background = new ArrayList<>();
    private final Path dir;

    World(Path dir) throws Exception {
        this.dir = dir;
        try {
            setUp();
        } catch (Exception | Error e) {
            close(); // a half-made world leaves nothing behind either
            throw e;
        }
    }

    private void setUp() throws Exception {
        sh(null, "ip", "netns", "add", ns);
        sh("link set lo up\naddr add " + WEB + "/32 dev lo\naddr add " + ELEVEN + "/32 dev lo\naddr add " + DNS
                + "/32 dev lo\n", "ip", "-n", ns, "-batch", "-");
        // Counts the new flows (TCP connections, pings, UDP) that reach the world from outside.
        sh("table ip world {\n counter arrivals { }\n chain in {\n  type filter hook input priority 0; policy accept;\n"
                + "  iif != lo ct state new counter name \"arrivals\"\n }\n}\n",
                "ip", "netns", "exec", ns, "nft", "-f", "-");
        httpd(WEB + ":80", "hello world");
        httpd(WEB + ":8080", "hello 8080");
        httpd(ELEVEN + ":80", "hello eleven");
        start("busybox", "nc", "-ll", "-p", "7000", "-e", "/bin/cat");
        List<String> dns = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), org.qubicle.net.testing.TinyDns.class.getName(), DNS, "53",
                "web.test=" + WEB, "eleven.test=" + ELEVEN));
        Process p = start(dns.toArray(String[]::new));
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        if (!"ready".equals(line)) {
            throw new IllegalStateException("DNS responder did not start: " + line);
        }
        for (int i = 0; i < 50 && !sh(null, "ip", "netns", "exec", ns, "busybox", "wget", "-q", "-O", "-",
                "http://" + WEB + "/").contains("hello"); i++) {
            Thread.sleep(100);
        }
    }

    /** New flows (TCP connection attempts, pings, UDP) that reached the world from outside so far. */
    long arrivals() {
        String out = sh(null, "ip", "netns", "exec", ns, "nft", "list", "counter", "ip", "world", "arrivals");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private void httpd(String bind, String body) throws IOException {
        Path d = Files.createDirectories(dir.resolve(bind.replace(':', '_')));
        Files.writeString(d.resolve("index.html"), body + "\n");
        start("busybox", "httpd", "-f", "-p", bind, "-h", d.toString());
    }

    private Process start(String... argv) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(argv));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        background.add(p);
        return p;
    }

    /** Runs a host command; its output (stdout and stderr), whatever its status. */
    static String sh(String stdin, String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (background.isEmpty() && !Files.exists(Path.of("/run/netns", ns))) {
            return;
        }
        for (Process p : background) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        background.clear();
        sh(null, "ip", "netns", "delete", ns);
    }
}
