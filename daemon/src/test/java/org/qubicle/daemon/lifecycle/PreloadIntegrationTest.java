package org.qubicle.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.daemon.QubesTestRoot;

/** Preloaded disposables (preload-dispvm-max) with real qubes, through the real sockets (root). */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class PreloadIntegrationTest {
    QubesTestRoot qubes;
    Path root;
    LifeClient c;

    @BeforeEach
    void setUp() throws IOException {
        qubes = QubesTestRoot.start("qubicle-preload", "pldvm");
        root = qubes.root();
        c = new LifeClient(qubes.daemon().paths().adminSocket());
        qubes.busyboxTemplate("plmin");
        c.ok("admin.vm.Create.AppVM", "plmin", "dom0", "name=pldvm label=red");
        c.ok("admin.vm.property.Set", "template_for_dispvms", "pldvm", "True");
        c.ok("admin.vm.property.Set", "memory", "pldvm", "64");
    }

    @AfterEach
    void tearDown() throws IOException {
        qubes.close();
    }

    @Test
    void aRequestTakesThePreloadAndAnotherTakesItsPlace() throws Exception {
        String bad = c.call("dom0", "admin.vm.feature.Set", "preload-dispvm-max", "pldvm", "two");
        assertTrue(bad.startsWith("2:QubesValueError:"), bad);
        bad = c.call("dom0", "admin.vm.feature.Set", "preload-dispvm-delay", "pldvm", "soon");
        assertTrue(bad.startsWith("2:QubesValueError:"), bad);
        c.ok("admin.vm.feature.Set", "preload-dispvm-delay", "pldvm", "0.2"); // upstream waits 3 s
        c.ok("admin.vm.feature.Set", "preload-dispvm-max", "pldvm", "1");
        String first = awaitPreload();
        assertEquals("Paused", state(first));
        assertEquals("1", feature(first, "internal"));
        assertFalse(tags(first).contains("created-by-dom0"), tags(first).toString());

        String got = c.ok("admin.vm.CreateDisposable", "", "pldvm");
        assertEquals(first, got);
        assertEquals("Running", state(got));
        c.ok("admin.vm.Start", "", got); // a no-op on a running qube, as the client's next step
        assertTrue(c.call("admin.vm.feature.Get", "internal", got).startsWith("2:"), "still internal");
        assertTrue(tags(got).containsAll(List.of("created-by-dom0", "disp-created-by-dom0")), tags(got).toString());
        assertFalse(preloads().contains(got));

        String second = awaitPreload();
        assertNotEquals(first, second);
        c.ok("admin.vm.Kill", "", got);
        assertFalse(names().contains(got));

        // The exec socket (qvm-run --dispvm) takes a preload too, and the disposable is gone after it.
        c.ok("admin.property.Set", "default_dispvm", "dom0", "pldvm");
        ExecTestClient.Result r = ExecTestClient.run(root.resolve("var/run/qubes/qrexec.sock"),
                "@dispvm DEFAULT - echo from $(uname -n)", new byte[0]);
        assertEquals(0, r.exit());
        assertEquals("from " + second + "\n", new String(r.stdout(), StandardCharsets.UTF_8));
        assertFalse(names().contains(second));
        String third = awaitPreload();

        // dom0's count wins for the global default_dispvm.
        c.ok("admin.vm.feature.Set", "preload-dispvm-max", "dom0", "2");
        await(() -> preloads().size() == 2 && preloads().stream().allMatch(this::completed), "two preloads");
        c.ok("admin.vm.feature.Remove", "preload-dispvm-max", "dom0");

        // A change of the disposable template replaces what was preloaded from it.
        c.ok("admin.vm.property.Set", "memory", "pldvm", "80");
        await(() -> !names().contains(third), "the outdated preload removed");
        await(() -> preloads().size() == 1 && completed(preloads().get(0)), "a fresh preload");

        c.ok("admin.vm.feature.Remove", "preload-dispvm-max", "pldvm");
        await(() -> names().stream().noneMatch(n -> n.startsWith("disp")), "no preload left");
        assertEquals(List.of(), preloads());
        qubes.assertNoLeaks("disp");
    }

    @Test
    void aCompletedPreloadOutlivesADaemonRestart() throws Exception {
        c.ok("admin.vm.feature.Set", "preload-dispvm-max", "pldvm", "1");
        String kept = awaitPreload();
        qubes.restart();
        c = new LifeClient(qubes.daemon().paths().adminSocket());
        assertEquals(List.of(kept), preloads());
        assertEquals("Paused", state(kept));
        assertEquals(kept, c.ok("admin.vm.CreateDisposable", "", "pldvm"));
        assertEquals("Running", state(kept));
        c.ok("admin.vm.feature.Remove", "preload-dispvm-max", "pldvm");
        c.ok("admin.vm.Kill", "", kept);
        await(() -> names().stream().noneMatch(n -> n.startsWith("disp")), "no disposable left");
    }

    @Test
    void aThresholdHoldsPreloadsBackAndTheirTemplateCanStillGo() throws Exception {
        String bad = c.call("dom0", "admin.vm.feature.Set", "preload-dispvm-threshold", "dom0", "lots");
        assertTrue(bad.startsWith("2:QubesValueError:"), bad);
        // More MiB kept free than any host has: nothing is preloaded, and the worker says why.
        c.ok("admin.vm.feature.Set", "preload-dispvm-threshold", "dom0", "999999999");
        c.ok("admin.vm.feature.Set", "preload-dispvm-max", "pldvm", "1");
        Thread.sleep(1500); // the worker looks at once on a feature change; give it time to (not) start one
        assertEquals(List.of(), preloads());
        assertTrue(names().stream().noneMatch(n -> n.startsWith("disp")), names().toString());
        c.ok("admin.vm.feature.Remove", "preload-dispvm-threshold", "dom0");
        String first = awaitPreload();

        // As upstream: a preload does not keep its template a disposable template; it goes instead.
        c.ok("admin.vm.property.Set", "template_for_dispvms", "pldvm", "False");
        assertFalse(names().contains(first), names().toString());
        assertEquals(List.of(), preloads());
        c.ok("admin.vm.property.Set", "template_for_dispvms", "pldvm", "True");
        String second = awaitPreload();
        c.ok("admin.vm.property.Reset", "template_for_dispvms", "pldvm");
        assertFalse(names().contains(second), names().toString());

        // Something else that relies on it still refuses, by set and by reset.
        c.ok("admin.vm.property.Set", "template_for_dispvms", "pldvm", "True");
        c.ok("admin.property.Set", "default_dispvm", "dom0", "pldvm");
        bad = c.call("dom0", "admin.vm.property.Set", "template_for_dispvms", "pldvm", "False");
        assertTrue(bad.startsWith("2:QubesVMInUseError:"), bad);
        bad = c.call("dom0", "admin.vm.property.Reset", "template_for_dispvms", "pldvm");
        assertTrue(bad.startsWith("2:QubesVMInUseError:"), bad);
        c.ok("admin.property.Reset", "default_dispvm", "dom0");

        // And the template can be removed with a preload running: the preload goes first.
        String third = awaitPreload();
        c.ok("admin.vm.Remove", "", "pldvm");
        assertFalse(names().contains("pldvm"));
        assertFalse(names().contains(third), names().toString());
        qubes.assertNoLeaks("disp");
    }

    private String awaitPreload() throws Exception {
        await(() -> !preloads().isEmpty() && completed(preloads().get(0)), "a completed preload");
        return preloads().get(0);
    }

    private boolean completed(String name) {
        try {
            return "1".equals(feature(name, "preload-dispvm-completed")) && state(name).equals("Paused");
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    private List<String> preloads() {
        try {
            String r = c.call("admin.vm.feature.Get", "preload-dispvm", "pldvm");
            return r.startsWith("0:") && !r.substring(2).isBlank() ? Arrays.asList(r.substring(2).strip().split(" ")) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> names() {
        try {
            return Arrays.stream(c.ok("admin.vm.List", "", "dom0").split("\n")).map(l -> l.split(" ")[0]).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String feature(String vm, String name) throws IOException {
        return c.ok("admin.vm.feature.Get", name, vm);
    }

    private List<String> tags(String vm) throws IOException {
        return Arrays.asList(c.ok("admin.vm.tag.List", "", vm).split("\n"));
    }

    private String state(String vm) throws IOException {
        String s = c.ok("admin.vm.CurrentState", "", vm);
        return s.substring(s.indexOf("power_state=") + "power_state=".length()).strip();
    }

    /** Polls for up to 60 s (preloading runs in the background); fails naming what never came. */
    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never came: " + what);
    }
}
