package org.qubicle.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.qubicle.net.testing.TinyDns;

/** Test helper: commands and background processes inside network namespaces the test made. */
final class Ns {
    private final List<Process> background = new ArrayList<>();

    /**
     * {@code nsenter --net=/run/netns/NS -- argv}: the tests reach their namespaces through the
     * tool, not through the daemon's own {@link NetNs#in}, so what they see does not depend on it.
     */
    static String[] argv(String ns, String... argv) {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + ns, "--"));
        all.addAll(List.of(argv));
        return all.toArray(String[]::new);
    }

    /** Runs a command in {@code ns}; returns exit status and combined output. */
    static Cmd.Result run(String ns, String... argv) {
        return Cmd.exec(null, argv(ns, argv));
    }

    /** {@code busybox wget} of a URL from {@code ns}; the body, or "ERR: message". */
    static String wget(String ns, String url) {
        // Not wget's -T: busybox 1.35 crashes when a connect fails with it set.
        Cmd.Result r = run(ns, "timeout", "6", "busybox", "wget", "-q", "-O", "-", url);
        return r.ok() ? r.out().strip() : "ERR: " + r.err().strip();
    }

    static boolean ping(String ns, String host, String... extra) {
        List<String> argv = new ArrayList<>(List.of("busybox", "ping", "-c", "1", "-W", "2"));
        argv.addAll(List.of(extra));
        argv.add(host);
        return run(ns, argv.toArray(String[]::new)).ok();
    }

    /** The addresses busybox nslookup got for {@code name} from {@code server}, empty on failure. */
    static List<String> lookup(String ns, String name, String server) {
        Cmd.Result r = run(ns, "timeout", "8", "busybox", "nslookup", "-type=a", "-timeout=2", "-retry=1", name, server);
        return r.ok() ? NameResolver.parse(r.out(), server).stream().map(BaseRules::host).toList() : List.of();
    }

    /** Starts a background process in {@code ns}; stopped by {@link #stopAll}. */
    Process start(String ns, String... argv) {
        try {
            Process p = new ProcessBuilder(argv(ns, argv)).redirectErrorStream(true).start();
            background.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the Java DNS responder in {@code ns} and waits until it is bound. */
    void startDns(String ns, String bind, int port, String... records) throws IOException {
        List<String> argv = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                TinyDns.class.getName(), bind, Integer.toString(port)));
        argv.addAll(List.of(records));
        Process p = start(ns, argv.toArray(String[]::new));
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (!"ready".equals(line)) {
            throw new IllegalStateException("DNS responder did not start: " + line);
        }
    }

    void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        background.remove(p);
    }

    void stopAll() throws InterruptedException {
        for (Process p : List.copyOf(background)) {
            stop(p);
        }
    }
}
