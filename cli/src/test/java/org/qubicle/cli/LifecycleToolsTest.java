package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.testing.LeakCheck;

/**
 * The lifecycle tools as a user runs them: each tool is its own process (the main class
 * {@code bin/tools.tsv} names for it, with this build's classes), against a real qubesd
 * with the bubblewrap driver and the minimal template on a temporary root. Needs root.
 * The tests build on each other, in order.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleToolsTest {
    static RealDaemon d;
    static Path root;
    static LeakCheck.Snapshot before;

    @BeforeAll
    static void startDaemon() throws Exception {
        before = LeakCheck.snapshot();
        d = new RealDaemon("qubicle-life-cli");
        root = d.root;
        ok("qvm-template", "install", "minimal");
        ok("qvm-create", "-t", "minimal", "-l", "red", "--prop", "provides_network=True", "net");
        ok("qvm-create", "-t", "minimal", "-l", "blue", "--prop", "netvm=net", "work");
        ok("qvm-create", "-t", "minimal", "-l", "green", "--prop", "netvm=", "other");
        ok("qvm-create", "-t", "minimal", "-l", "red", "--prop", "netvm=", "--prop", "template_for_dispvms=True", "dvm");
        ok("qubes-prefs", "default_dispvm", "dvm");
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (d != null) {
            d.close();
            LeakCheck.assertNoLeaks(before, root.toString());
        }
    }

    static RealDaemon.Result run(byte[] input, String tool, String... args) throws Exception {
        return d.run(input, tool, args);
    }

    static RealDaemon.Result ok(String tool, String... args) throws Exception {
        return d.ok(tool, args);
    }

    static RealDaemon.Result code(int expected, String tool, String... args) throws Exception {
        return d.code(expected, tool, args);
    }

    static String state(String vm) throws Exception {
        return d.state(vm);
    }

    @Test
    @Order(1)
    void startStartsTheNetvmFirstAndChecksState() throws Exception {
        code(1, "qvm-check", "--running", "work");
        ok("qvm-start", "work");
        ok("qvm-check", "--running", "work");
        ok("qvm-check", "--running", "net");
        RealDaemon.Result again = code(1, "qvm-start", "work");
        assertTrue(again.err().contains("Starting qube failed: work: Domain is already running"), again.err());
        ok("qvm-start", "--skip-if-running", "work");
        code(1, "qvm-check", "--paused", "work");
    }

    @Test
    @Order(2)
    void pauseUnpauseAndRunOnAPausedQube() throws Exception {
        ok("qvm-pause", "work");
        ok("qvm-check", "--paused", "work");
        assertEquals("Paused", state("work"));
        RealDaemon.Result r = code(1, "qvm-run", "--no-autostart", "work", "true");
        assertTrue(r.err().contains("Qube 'work' is paused"), r.err());
        ok("qvm-unpause", "work");
        assertEquals("Running", state("work"));
        ok("qvm-pause", "work");
        // qvm-run unpauses (autostart is the default)
        assertEquals("x\n", ok("qvm-run", "-p", "work", "echo x").out());
        assertEquals("Running", state("work"));
    }

    @Test
    @Order(3)
    void runPassesIoAsUserAndRootAndReturnsTheExitCode() throws Exception {
        assertEquals("1000\n", ok("qvm-run", "-p", "work", "id -u").out());
        assertEquals("0\n", ok("qvm-run", "-p", "-u", "root", "work", "id -u").out());
        assertEquals("work\n", ok("qvm-run", "--pass-io", "--no-gui", "work", "hostname").out());
        RealDaemon.Result r = code(42, "qvm-run", "-p", "work", "echo out; echo err >&2; exit 42");
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        // several words: an executable with arguments, quoted for the shell inside
        assertEquals("a b;c\n", ok("qvm-run", "-p", "work", "echo", "a b;c").out());
        assertEquals("$HOME\n", ok("qvm-run", "-p", "--no-shell", "work", "echo", "$HOME").out());
        // the command's own options stay its own
        assertEquals("-n x", ok("qvm-run", "-p", "work", "echo", "-n", "-n x").out());
        RealDaemon.Result in = run("from stdin\nsecond line\n".getBytes(StandardCharsets.UTF_8), "qvm-run", "-p",
                "work", "cat");
        assertEquals("from stdin\nsecond line\n", in.out(), "the shell reads only its own line of the input");
        // --service runs a qrexec service as a call from dom0
        RealDaemon.Result svc = run("echo via-service $QREXEC_REMOTE_DOMAIN\n".getBytes(StandardCharsets.UTF_8),
                "qvm-run", "-p", "--service", "work", "qubes.VMShell");
        assertEquals("via-service dom0\n", svc.out(), svc.err());
        code(2, "qvm-run", "--service", "work", "+bad");
        // qvm-run goes through the qube's own qubes.VMShell, as on Qubes
        ok("qvm-run", "-u", "root", "work", "mkdir -p /etc/qubes-rpc && printf '#!/bin/sh\\necho own-vmshell\\n"
                + "exec /bin/sh\\n' > /etc/qubes-rpc/qubes.VMShell && chmod 755 /etc/qubes-rpc/qubes.VMShell");
        assertEquals("own-vmshell\nthis\n", ok("qvm-run", "-p", "work", "echo this").out());
        ok("qvm-run", "-u", "root", "work", "rm /etc/qubes-rpc/qubes.VMShell");
        assertEquals("back\n", ok("qvm-run", "-p", "work", "echo back").out());
    }

    @Test
    @Order(4)
    void withoutPassIoOutputIsDroppedAndTheRunIsReported() throws Exception {
        RealDaemon.Result r = run(null, "qvm-run", "work", "echo hidden; exit 3");
        assertEquals(3, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("Running 'echo hidden; exit 3' on work"), r.err());
        assertTrue(r.err().contains("work: command failed with code: 3"), r.err());
        RealDaemon.Result q = run(null, "qvm-run", "-q", "work", "true");
        assertEquals(0, q.code());
        assertEquals("", q.err());
        // the command ran: it left a file in the qube's /tmp
        ok("qvm-run", "work", "echo made > /tmp/mark");
        assertEquals("made\n", ok("qvm-run", "-p", "work", "cat /tmp/mark").out());
    }

    @Test
    @Order(5)
    void escapeCharactersAreFilteredOnRequestAndColoursNeedTheFilter() throws Exception {
        String esc = "printf 'a\\033[2Jb\\n'";
        assertEquals("a_[2Jb\n", ok("qvm-run", "-p", "--filter-escape-chars", "--no-color-output", "work", esc).out());
        assertEquals("a\033[2Jb\n", ok("qvm-run", "-p", "--no-filter-escape-chars", "work", esc).out());
        // output is no terminal here, so unfiltered by default
        assertEquals("a\033[2Jb\n", ok("qvm-run", "-p", "work", esc).out());
        // with the filter, -p colours stdout red unless told otherwise
        assertEquals("\033[0;31ma_[2Jb\n\033[0m", ok("qvm-run", "-p", "--filter-escape-chars", "work", esc).out());
        assertEquals("\033[0;32mx\n\033[0m",
                ok("qvm-run", "-p", "--filter-escape-chars", "--color-output", "32", "work", "echo x").out());
        code(2, "qvm-run", "-p", "--color-output", "32", "--no-filter-escape-chars", "work", "echo x");
        RealDaemon.Result err = ok("qvm-run", "-p", "--filter-escape-chars", "--no-color-output", "--color-stderr", "33",
                "work", "echo e >&2");
        assertEquals("\033[0;33me\n\033[0m", err.err());
    }

    @Test
    @Order(6)
    void autostartAndNoAutostart() throws Exception {
        assertEquals("Halted", state("other"));
        RealDaemon.Result r = code(1, "qvm-run", "--no-autostart", "other", "true");
        assertTrue(r.err().contains("Qube 'other' not started"), r.err());
        assertEquals("Halted", state("other"));
        ok("qvm-run", "--autostart", "other", "true");
        assertEquals("Running", state("other"));
        ok("qvm-shutdown", "--wait", "other");
        code(1, "qvm-check", "--running", "other");
        // -n is --no-autostart
        code(1, "qvm-run", "-n", "other", "true");
        code(2, "qvm-run", "work");
        code(2, "qvm-run", "--localcmd", "cat", "work", "true");
    }

    @Test
    @Order(7)
    void allRunsInEveryRunningQubeButTheExcluded() throws Exception {
        // running now: net, work
        RealDaemon.Result r = run(null, "qvm-run", "--all", "test $(hostname) != net");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("Running 'test $(hostname) != net' on net"), r.err());
        assertTrue(r.err().contains("Running 'test $(hostname) != net' on work"), r.err());
        assertFalse(r.err().contains("on other"), "--all runs only in running qubes: " + r.err());
        ok("qvm-run", "--all", "--exclude", "net", "test $(hostname) != net");
        code(2, "qvm-run", "--all", "-p", "true");
        code(2, "qvm-run", "--all", "--dispvm", "true");
        code(2, "qvm-run", "--exclude", "net", "work", "true");
    }

    @Test
    @Order(8)
    void dispvmRunsInAFreshDisposableThatIsGoneAfterwards() throws Exception {
        String host = ok("qvm-run", "-p", "--dispvm", "--", "hostname").out().strip();
        assertTrue(host.matches("disp[0-9]+"), host);
        assertEquals(Files.exists(root.resolve("var/run/qubes/" + host)), false);
        assertFalse(ok("qvm-ls", "--raw-list").out().contains("disp"), "the disposable is removed");
        assertEquals(7, run(null, "qvm-run", "-p", "--dispvm=dvm", "--", "exit 7").code());
        code(2, "qvm-run", "--dispvm", "--exclude", "work", "--", "true");
        assertFalse(ok("qvm-ls", "--raw-list").out().contains("disp"));
    }

    @Test
    @Order(9)
    void localcmdConnectsALocalProgram() throws Exception {
        Path got = Files.createTempFile(root, "local", "");
        ok("qvm-run", "-p", "--localcmd", "printf abc; exec >&-; cat > " + got, "work", "tr a-z A-Z");
        assertEquals("ABC", Files.readString(got));
    }

    /** 1 GiB through {@code qvm-run -p work cat}, checked by SHA-256 both ways. */
    @Test
    @Order(10)
    void aGibibyteStreamsThroughBinarySafe() throws Exception {
        long size = 1L << 30;
        ProcessBuilder pb = d.builder("qvm-run", "-p", "work", "cat");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        Thread writer = Thread.ofVirtual().start(() -> {
            Random rnd = new Random(42);
            byte[] buf = new byte[1 << 20];
            try (OutputStream in = p.getOutputStream()) {
                for (long n = 0; n < size; n += buf.length) {
                    rnd.nextBytes(buf);
                    sent.update(buf);
                    in.write(buf);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream out = p.getInputStream()) {
            byte[] buf = new byte[1 << 20];
            for (int n = out.read(buf); n >= 0; n = out.read(buf)) {
                got.update(buf, 0, n);
                total += n;
            }
        }
        writer.join();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals(size, total);
        assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(got.digest()));
    }

    @Test
    @Order(11)
    void shutdownKillAndAll() throws Exception {
        ok("qvm-start", "other");
        ok("qvm-kill", "other");
        assertEquals("Halted", state("other"));
        ok("qvm-kill", "other"); // a halted qube is ignored, as upstream
        RealDaemon.Result used = run(null, "qvm-shutdown", "--wait", "net");
        assertEquals(1, used.code());
        assertTrue(used.err().contains("Error: Failed to shut down: net: There are other VMs connected to this VM: work"),
                used.err());
        assertEquals("Running", state("net"));
        ok("qvm-shutdown", "--wait", "work");
        assertEquals("Halted", state("work"));
        // net is in use until work is down: retried (the order of the two calls is the daemon's)
        ok("qvm-start", "work");
        ok("qvm-shutdown", "--wait", "net", "work");
        assertEquals("Halted", state("net"));
        ok("qvm-start", "work", "other");
        ok("qvm-shutdown", "--wait", "--all");
        for (String vm : List.of("net", "work", "other", "dvm")) {
            assertEquals("Halted", state(vm), vm);
        }
        code(1, "qvm-check", "--running", "net", "work", "other");
    }
}
