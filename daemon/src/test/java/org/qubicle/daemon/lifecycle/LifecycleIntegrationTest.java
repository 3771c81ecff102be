package org.qubicle.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesTestRoot;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;

/** The daemon runs real qubes with the bubblewrap driver, through the real socket (root). */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class LifecycleIntegrationTest {
    QubesTestRoot qubes;
    Path root;
    Daemon daemon;
    LifeClient c;

    @BeforeEach
    void setUp() throws IOException {
        qubes = QubesTestRoot.start("qubicle-life", "lfwork", "lfnet");
        root = qubes.root();
        daemon = qubes.daemon();
        c = new LifeClient(daemon.paths().adminSocket());
        qubes.busyboxTemplate("lfmin");
        c.ok("admin.vm.Create.AppVM", "lfmin", "dom0", "name=lfnet label=red");
        c.ok("admin.vm.property.Set", "provides_network", "lfnet", "True");
        c.ok("admin.vm.Create.AppVM", "lfmin", "dom0", "name=lfwork label=blue");
        c.ok("admin.vm.property.Set", "netvm", "lfwork", "lfnet");
        c.ok("admin.vm.property.Set", "memory", "lfwork", "64");
        c.ok("admin.vm.property.Set", "maxmem", "lfwork", "128");
    }

    @AfterEach
    void tearDown() throws IOException {
        qubes.close();
    }

    private String state(String vm) throws IOException {
        String s = c.ok("admin.vm.CurrentState", "", vm);
        return s.substring(s.indexOf("power_state=") + "power_state=".length()).strip();
    }

    private String run(String vm, String user, String... cmd) throws Exception {
        RunningQube rq = daemon.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of(user, cmd))) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out + err);
            return out.strip();
        }
    }

    @Test
    void startPauseUnpauseShutdownRealQubes() throws Exception {
        assertEquals("bwrap", c.ok("admin.vm.property.Get", "virt_mode", "lfwork").split(" ", 3)[2]);
        c.ok("admin.vm.Start", "", "lfwork");
        assertEquals("Running", state("lfnet"), "netvm started first");
        assertEquals("Running", state("lfwork"));
        assertEquals("1000", run("lfwork", "user", "id", "-u"));
        assertEquals("lfwork", run("lfwork", "user", "hostname"));
        run("lfwork", "user", "sh", "-c", "echo kept > /home/user/f");
        String cs = c.ok("admin.vm.CurrentState", "", "lfwork");
        assertTrue(cs.contains("mem_static_max=131072"), cs);
        assertTrue(c.call("admin.vm.Shutdown", "", "lfnet").startsWith("2:QubesVMInUseError:"));
        c.ok("admin.vm.Pause", "", "lfwork");
        assertEquals("Paused", state("lfwork"));
        c.ok("admin.vm.Unpause", "", "lfwork");
        assertEquals("ok", run("lfwork", "user", "echo", "ok"));
        c.ok("admin.vm.Shutdown", "wait", "lfwork");
        assertEquals("Halted", state("lfwork"));
        c.ok("admin.vm.Kill", "", "lfnet");
        assertEquals("Halted", state("lfnet"));
        c.ok("admin.vm.Start", "", "lfwork");
        assertEquals("kept", run("lfwork", "user", "cat", "/home/user/f"), "private data survives a restart");
    }

    @Test
    void restartedDaemonTakesRunningQubesBack() throws Exception {
        c.ok("admin.vm.Start", "", "lfwork");
        qubes.restart();
        daemon = qubes.daemon();
        c = new LifeClient(daemon.paths().adminSocket());
        assertEquals("Running", state("lfwork"));
        assertEquals("Running", state("lfnet"));
        assertEquals("ok", run("lfwork", "user", "echo", "ok"));
        // Killed behind the daemon's back: the watcher notices and shows Halted.
        RunningQube net = daemon.lifecycle().handle("lfnet").orElseThrow();
        new ProcessBuilder("kill", "-KILL", Long.toString(net.pid())).start().waitFor();
        for (int i = 0; i < 200 && !state("lfnet").equals("Halted"); i++) {
            Thread.sleep(50);
        }
        assertEquals("Halted", state("lfnet"));
    }

    private ExecTestClient.Result exec(String header, byte[] stdin) throws IOException {
        return ExecTestClient.run(root.resolve("var/run/qubes/qrexec.sock"), header, stdin);
    }

    @Test
    void execSocketStreamsBinaryDataAndExitCodes() throws Exception {
        byte[] all = new byte[256 * 1024];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7 + i / 256);
        }
        ExecTestClient.Result r = exec("lfwork DEFAULT - cat", all);
        assertEquals("Domain is not running: 'lfwork'", r.error(), "no autostart without the option");
        r = exec("lfwork DEFAULT autostart cat; echo err >&2; id -u >&2; exit 42", all);
        assertEquals(null, r.error());
        assertEquals(42, r.exit());
        assertTrue(java.util.Arrays.equals(all, r.stdout()), "stdout differs");
        assertEquals("err\n1000\n", new String(r.stderr(), StandardCharsets.UTF_8));
        assertEquals("Running", state("lfnet"), "autostart started the netvm first");
        r = exec("lfwork root - id -u", new byte[0]);
        assertEquals("0\n", new String(r.stdout(), StandardCharsets.UTF_8));
        assertTrue(exec("lfwork nobody - true", new byte[0]).error() != null, "unknown user refused");
        assertTrue(exec("garbage", new byte[0]).error() != null, "bad header refused");
    }

    /** 300 disposables created, run and destroyed through the exec socket leave nothing. */
    @Test
    void disposableChurnLeavesNothing() throws Exception {
        c.ok("admin.vm.property.Set", "template_for_dispvms", "lfwork", "True");
        c.ok("admin.vm.property.Set", "netvm", "lfwork", "");
        c.ok("admin.property.Set", "default_dispvm", "dom0", "lfwork");
        for (int i = 0; i < 300; i++) {
            ExecTestClient.Result r = exec("@dispvm DEFAULT - echo $((" + i + " + 1))", new byte[0]);
            assertEquals(null, r.error());
            assertEquals(0, r.exit());
            assertEquals((i + 1) + "\n", new String(r.stdout(), StandardCharsets.UTF_8));
            if (i < 5) {
                // the exit code comes first, but the connection ends only once the disposable is gone
                assertFalse(c.ok("admin.vm.List", "", "dom0").contains("disp"), "disposable left after its end");
            }
        }
        String list = c.ok("admin.vm.List", "", "dom0");
        assertFalse(list.contains("disp"), list);
        for (String dir : new String[] {"var/lib/qubes/appvms", "var/run/qubes"}) {
            try (Stream<Path> s = Files.list(root.resolve(dir))) {
                List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("disp")).toList();
                assertEquals(List.of(), left, dir);
            }
        }
        qubes.assertNoLeaks("disp");
    }

    @Test
    void disposableLeavesNothing() throws Exception {
        c.ok("admin.vm.property.Set", "template_for_dispvms", "lfwork", "True");
        c.ok("admin.vm.property.Set", "netvm", "lfwork", "");
        for (int i = 0; i < 5; i++) {
            String name = c.ok("admin.vm.CreateDisposable", "", "lfwork");
            c.ok("admin.vm.Start", "", name);
            assertEquals("0", run(name, "root", "id", "-u"));
            c.ok("admin.vm.Kill", "", name);
            assertFalse(c.ok("admin.vm.List", "", "dom0").contains(name));
            assertFalse(Files.exists(root.resolve("var/lib/qubes/appvms/" + name)));
            assertFalse(Files.exists(root.resolve("var/run/qubes/" + name)));
        }
    }
}
