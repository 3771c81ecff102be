package org.qubicle.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host's network tools ({@code ip}, {@code nft}, {@code conntrack}, {@code sysctl}),
 * optionally inside a named network namespace. Output is capped: these tools print little,
 * and a runaway one must not fill the daemon's memory.
 */
final class Cmd {
    private static final int MAX_OUTPUT = 4 << 20;
    private static final long TIMEOUT_SECONDS = 30;

    private Cmd() {
    }

    /** The result of a command that ran to its end. */
    record Result(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }
    }

    /** Runs and fails with {@link NetException} on a non-zero status. */
    static String run(String stdin, String... argv) {
        Result r = exec(stdin, argv);
        if (!r.ok()) {
            throw new NetException(String.join(" ", argv) + " failed (" + r.status() + "): " + r.err().strip());
        }
        return r.out();
    }

    /**
     * Runs {@code argv} inside network namespace {@code ns} (a name under /run/netns): started
     * from a thread of ours in that namespace ({@link NetNs#in}), which the tool inherits,
     * without a {@code nsenter} in between.
     */
    static String inNs(String ns, String stdin, String... argv) {
        return NetNs.in(ns, () -> run(stdin, argv));
    }

    static Result execInNs(String ns, String stdin, String... argv) {
        return NetNs.in(ns, () -> exec(stdin, argv));
    }

    /**
     * Loads an nft script atomically in {@code ns}, as one {@code nft -f -} run does: through
     * libnftables in the daemon where it loads ({@link Nftables}), else by the tool.
     */
    static void nft(String ns, String script) {
        if (Nftables.available()) {
            NetNs.in(ns, () -> {
                Nftables.run(script);
                return null;
            });
            return;
        }
        inNs(ns, script, "nft", "-f", "-");
    }

    static Result exec(String stdin, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // Read stderr on another thread so that neither pipe can fill and block the tool.
            String[] errText = new String[1];
            Thread err = Thread.ofVirtual().start(() -> errText[0] = readCapped(p.getErrorStream()));
            String out = readCapped(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetException(argv[0] + " timed out");
            }
            err.join();
            return new Result(p.exitValue(), out, errText[0] == null ? "" : errText[0]);
        } catch (IOException e) {
            throw new NetException("cannot run " + argv[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetException("interrupted while running " + argv[0]);
        }
    }

    private static String readCapped(InputStream s) {
        try (s) {
            byte[] b = s.readNBytes(MAX_OUTPUT);
            s.transferTo(OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
