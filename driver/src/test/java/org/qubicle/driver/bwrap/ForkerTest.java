package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.Exec;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;

/** Execs through the qube's resident forker (root, integration). */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class ForkerTest extends BwrapTestBase {
    /** What a process can tell about its confinement; the mount namespace differs per exec by design. */
    private static final String PROBE = """
            id; pwd; umask; env | sort
            grep -E '^(Cap(Inh|Prm|Eff|Amb)|NoNewPrivs|Seccomp|SigIgn|SigBlk|Groups):' /proc/self/status
            for n in net uts ipc pid user cgroup; do readlink /proc/self/ns/$n; done
            cat /proc/self/cgroup
            """;

    /** Waits until execs go through a forker (a qube's first exec starts one if it has none). */
    private void awaitForker(RunningQube q) throws Exception {
        for (int i = 0; i < 400; i++) {
            try (QubeProcess p = driver.exec(q, ExecSpec.of("root", "true"))) {
                if (p instanceof ForkerProcess) {
                    assertEquals(0, p.waitFor());
                    return;
                }
                p.waitFor();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the forker did not come up");
    }

    private static Exec.Result run(QubeProcess p, byte[] in) throws Exception {
        try (p; var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var out = pool.submit(() -> p.stdout().readAllBytes());
            var err = pool.submit(() -> p.stderr().readAllBytes());
            try (OutputStream o = p.stdin()) {
                o.write(in);
            }
            int code = p.waitFor();
            return new Exec.Result(code, out.get(), err.get());
        }
    }

    @Test
    void callStreamsBinaryBothWaysAndReturnsTheExitCode() throws Exception {
        RunningQube q = driver.start(spec("fork-io", 7400));
        try {
            awaitForker(q);
            byte[] data = new byte[3 << 20];
            new Random(7).nextBytes(data);
            QubeProcess p = driver.exec(q, new ExecSpec("user", List.of("sh", "-c", "cat; echo oops >&2; exit 42"),
                    Map.of("ODD", "it's a \"test\"\n$HOME `x`")));
            assertInstanceOf(ForkerProcess.class, p);
            Exec.Result r = run(p, data);
            assertEquals(42, r.exit());
            assertArrayEquals(data, r.out());
            assertEquals("oops\n", r.errText());
            Exec.Result env = Exec.run(driver, q, new ExecSpec("root", List.of("sh", "-c", "printf %s \"$ODD\""),
                    Map.of("ODD", "it's a \"test\"\n$HOME `x`")), new byte[0]);
            assertEquals("it's a \"test\"\n$HOME `x`", env.outText());
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void stdinTakenAsAChannelGoesStraightToTheCallsFifo() throws Exception {
        RunningQube q = driver.start(spec("fork-chan", 7406));
        try (var platform = Executors.newCachedThreadPool()) {
            awaitForker(q);
            byte[] data = new byte[5 << 20];
            new Random(9).nextBytes(data);
            try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "cat"))) {
                WritableByteChannel in = p.stdinChannel();
                assertThrows(IllegalStateException.class, p::stdin, "one way in, not two");
                var out = platform.submit(() -> p.stdout().readAllBytes());
                // on a platform thread, as the channel asks: a write may wait in the kernel
                platform.submit(() -> {
                    try (in) {
                        ByteBuffer b = ByteBuffer.allocateDirect(data.length).put(data).flip();
                        while (b.hasRemaining()) {
                            in.write(b);
                        }
                    }
                    return null;
                }).get(120, TimeUnit.SECONDS);
                assertArrayEquals(data, out.get(120, TimeUnit.SECONDS));
                assertEquals(0, p.waitFor());
            }
            // A call that exits without reading: the writer gets an error, not a wait without end.
            try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c", "exit 3"))) {
                WritableByteChannel in = p.stdinChannel();
                var writer = platform.submit(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                    for (int i = 0; i < 64; i++) {
                        in.write(b.clear());
                    }
                    return null;
                });
                assertEquals(3, p.waitFor());
                ExecutionException e = assertThrows(ExecutionException.class, () -> writer.get(120, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
            }
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void callsHaveTheConfinementOfTheHostChain() throws Exception {
        RunningQube q = driver.start(spec("fork-same", 7401));
        try {
            // the init's forker, then one the host chain started after it died
            assertSameConfinement(q);
            Exec.sh(driver, q, "root", "pkill xargs; pkill -f forker.sh; true");
            awaitForker(q);
            assertSameConfinement(q);
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void theFirstExecAfterAStartTakesTheInitsForker() throws Exception {
        RunningQube q = driver.start(spec("fork-init", 7407));
        try {
            try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c", "ps -o pid,ppid,args"))) {
                assertInstanceOf(ForkerProcess.class, p, "the first exec took the host chain");
                String ps = text(p.stdout().readAllBytes());
                assertEquals(0, p.waitFor());
                // adopted by pid 1, beside the init (pid 2): no process of the daemon's
                assertTrue(ps.lines().anyMatch(l -> l.trim().matches("\\d+ +1 .*forker\\.sh")), ps);
            }
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    private void assertSameConfinement(RunningQube q) throws Exception {
        for (String user : List.of("root", "user")) {
            ExecSpec e = new ExecSpec(user, List.of("sh", "-c", PROBE), Map.of("EXTRA", "1"));
            QubeProcess viaForker = driver.exec(q, e);
            assertInstanceOf(ForkerProcess.class, viaForker);
            Exec.Result forked = run(viaForker, new byte[0]);
            Exec.Result chained = run(driver.execByChain(q, e), new byte[0]);
            assertEquals(0, forked.exit(), forked.errText());
            assertEquals(chained.outText(), forked.outText(), "as " + user);
            assertTrue(forked.outText().contains(user.equals("root") ? "uid=0(root)" : "uid=1000(user)"),
                    forked.outText());
            assertTrue(forked.outText().contains("NoNewPrivs:\t1"), forked.outText());
            assertTrue(forked.outText().contains("Seccomp:\t2"), forked.outText());
            ExecSpec bare = new ExecSpec(user, List.of("env"), Map.of("EXTRA", "2"));
            assertEquals(sorted(run(driver.execByChain(q, bare), new byte[0]).outText()),
                    sorted(run(driver.exec(q, bare), new byte[0]).outText()), "environment of a program as " + user);
            // the chain also leaves its namespace fds open (3, 4); the forker closes them
            assertEquals("0\n1\n2\n3\n", Exec.sh(driver, q, user, "ls /proc/self/fd").outText());
            if (user.equals("user")) {
                assertTrue(forked.outText().contains("CapEff:\t0000000000000000"), forked.outText());
            } else {
                assertNotEquals(-1, forked.outText().indexOf("CapEff:\t00000"), forked.outText());
            }
        }
    }

    @Test
    void theUserCannotReachTheControlFifo() throws Exception {
        RunningQube q = driver.start(spec("fork-ctl", 7402));
        try {
            awaitForker(q);
            assertEquals("yes\n", Exec.sh(driver, q, "root", "[ -p /dev/.qubicle/forker/ctl ] && echo yes").outText(),
                    "the probe would look elsewhere");
            Exec.Result r = Exec.sh(driver, q, "user",
                    "echo 0123456789abcdef > /dev/.qubicle/forker/ctl && echo WROTE; ls /dev/.qubicle/forker && echo LISTED;"
                            + " exec 5<>/proc/1/root/dev/.qubicle/forker/ctl && echo OPENED;"
                            + " exec 6<>/proc/2/root/dev/.qubicle/forker/ctl && echo OPENED"); // the init's view
            assertFalse(r.outText().contains("WROTE"), r.outText());
            assertFalse(r.outText().contains("LISTED"), r.outText());
            assertFalse(r.outText().contains("OPENED"), r.outText());
            assertTrue(r.errText().contains("Permission denied"), r.errText());
            // Root's own calls may talk to it (root runs anything anyway); it still works after the attempt.
            assertEquals("ok\n", Exec.sh(driver, q, "user", "echo ok").outText());
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void killingACallKillsItsProcesses() throws Exception {
        RunningQube q = driver.start(spec("fork-kill", 7403));
        try {
            awaitForker(q);
            QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c",
                    "sleep 3001 & (sleep 3002 &) ; echo up; sleep 3003"));
            assertInstanceOf(ForkerProcess.class, p);
            assertEquals('u', p.stdout().read());
            assertEquals(3, count(q, "sleep 300"));
            p.kill();
            assertEquals(137, p.waitFor());
            for (int i = 0; i < 100 && count(q, "sleep 300") > 0; i++) {
                Thread.sleep(20);
            }
            assertEquals(0, count(q, "sleep 300"));
            p.close();
            assertEquals("still\n", Exec.sh(driver, q, "root", "echo still").outText());
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    private int count(RunningQube q, String what) throws Exception {
        String ps = Exec.sh(driver, q, "root", "ps -o args").outText();
        return (int) ps.lines().filter(l -> l.startsWith(what)).count();
    }

    @Test
    void shutdownWhileACallRunsLeavesNothing() throws Exception {
        RunningQube q = driver.start(spec("fork-stop", 7404));
        awaitForker(q);
        QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c", "echo up; sleep 100000 & cat"));
        assertInstanceOf(ForkerProcess.class, p);
        assertEquals('u', p.stdout().read());
        assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        assertFalse(driver.isRunning(q));
        p.waitFor();
        assertFalse(p.isAlive());
        assertEquals("p\n", text(p.stdout().readAllBytes()), "stdout ends once the call is gone");
        p.close();
        // the base class checks that no process, cgroup, mount or file is left
    }

    @Test
    void aQubeWhoseForkerDiedFallsBackAndGetsANewOne() throws Exception {
        RunningQube q = driver.start(spec("fork-again", 7405));
        try {
            awaitForker(q);
            Exec.sh(driver, q, "root", "pkill xargs; pkill -f forker.sh; true");
            Exec.Result r = Exec.sh(driver, q, "user", "echo fine");
            assertEquals("fine\n", r.outText(), r.errText());
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void prepareExecMakesTheFirstExecTakeTheForker() throws Exception {
        RunningQube q = driver.start(spec("fork-ready", 7406));
        try {
            driver.prepareExec(q, Duration.ofSeconds(30));
            try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "true"))) {
                assertTrue(p instanceof ForkerProcess, "the first exec took the host chain");
                assertEquals(0, p.waitFor());
            }
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    private static List<String> sorted(String lines) {
        return lines.lines().sorted().toList();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
