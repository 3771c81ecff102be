package org.qubicle.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.daemon.storage.DirStorage;
import org.qubicle.driver.Capability;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.fake.FakeDriver;

/** Lifecycle calls through the real socket, with the fake driver (no root). */
class LifecycleApiTest {
    @TempDir
    Path root;
    FakeDriver.FakeHost host;
    Daemon daemon;
    LifeClient c;

    @BeforeEach
    void start() throws IOException {
        host = new FakeDriver().host();
        daemon = startDaemon();
        c = new LifeClient(daemon.paths().adminSocket());
        c.ok("admin.vm.Create.TemplateVM", "", "dom0", "name=tpl label=black");
        Files.createDirectories(root.resolve("var/lib/qubes/vm-templates/tpl/root-tree/bin"));
        c.ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=net label=red");
        c.ok("admin.vm.property.Set", "provides_network", "net", "True");
        c.ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=work label=blue");
        c.ok("admin.vm.property.Set", "netvm", "work", "net");
    }

    private Daemon startDaemon() throws IOException {
        FakeDriver d = new FakeDriver(host, EnumSet.allOf(Capability.class));
        return Daemon.start(new QubesPaths(root),
                new Lifecycles(d, new DirStorage(root.resolve("var/lib/qubes"), false)));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    /** Names of the qubes the fake host runs (it keys them by runtime directory). */
    private java.util.Set<String> running() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        host.running().forEach(r -> names.add(Path.of(r).getFileName().toString()));
        return names;
    }

    private String state(String vm) throws IOException {
        String s = c.ok("admin.vm.CurrentState", "", vm);
        return s.substring(s.indexOf("power_state=") + "power_state=".length()).strip();
    }

    private static List<String> drain(LifeClient.Events ev, String last) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (true) {
            String e = ev.queue.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no " + last + " after " + got);
            }
            if (e.contains(" domain-") && !e.contains("domain-feature") && !e.contains("domain-tag")
                    && !e.contains("domain-add") && !e.contains("domain-delete") && !e.contains("domain-pre-delete")) {
                got.add(e);
            }
            if (e.equals(last)) {
                return got;
            }
        }
    }

    @Test
    void startStartsTheNetvmFirstWithQubesEventOrder() throws Exception {
        try (LifeClient.Events ev = c.events()) {
            c.ok("admin.vm.Start", "", "work");
            // qubesd's QubesVM.start(): the netvm starts after the client's domain-pre-start.
            assertEquals(List.of("work domain-pre-start",
                    "net domain-pre-start", "net domain-pre-spawn", "net domain-spawn", "net domain-qdb-create",
                    "net domain-pre-unpaused", "net domain-unpaused", "net domain-start",
                    "work domain-pre-spawn", "work domain-spawn", "work domain-qdb-create",
                    "work domain-pre-unpaused", "work domain-unpaused", "work domain-start"),
                    drain(ev, "work domain-start"));
        }
        assertEquals("Running", state("work"));
        assertEquals("Running", state("net"));
        assertTrue(c.ok("admin.vm.List", "", "dom0").contains("work class=AppVM state=Running"));
        assertEquals(java.util.Set.of("net", "work"), running());
        assertEquals("0:", c.call("admin.vm.Start", "", "work"), "start of a running qube is a no-op");
        QubesDb db = daemon.lifecycle().qubesDb("work").orElseThrow();
        assertEquals("work", db.entries().get("/name"));
        assertEquals("AppVM", db.entries().get("/type"));
        assertEquals("user", db.entries().get("/default-user"));
        assertEquals("tpl", db.entries().get("/qubes-base-template"));
        assertEquals("rw-only", db.entries().get("/qubes-vm-persistence"));
    }

    @Test
    void spawnResetsXidAndStartTimeAndStopResetsThemAgain() throws Exception {
        try (LifeClient.Events ev = c.events()) {
            c.ok("admin.vm.Start", "", "net");
            List<String> got = new ArrayList<>();
            for (String e = ev.queue.poll(10, TimeUnit.SECONDS); e != null && !e.equals("net domain-start");
                    e = ev.queue.poll(10, TimeUnit.SECONDS)) {
                got.add(e);
            }
            int spawn = got.indexOf("net domain-spawn");
            assertTrue(got.indexOf("net property-reset:xid") > got.indexOf("net domain-pre-spawn")
                    && got.indexOf("net property-reset:start_time") < spawn, got::toString);
            c.ok("admin.vm.Kill", "", "net");
            assertEquals(List.of("net domain-stopped", "net domain-shutdown"), drain(ev, "net domain-shutdown"));
        }
        assertTrue(daemon.lifecycle().qubesDb("net").isEmpty());
    }

    @Test
    void prohibitStartRefusesWithDomainStartFailed() throws Exception {
        c.ok("admin.vm.feature.Set", "prohibit-start", "net", "being repaired");
        try (LifeClient.Events ev = c.events()) {
            String r = c.call("admin.vm.Start", "", "work");
            assertTrue(r.startsWith("2:QubesException:") && r.contains("Rationale: being repaired"), r);
            // work fired domain-pre-start, then net refused, then work failed too
            assertEquals(List.of("work domain-pre-start", "net domain-start-failed", "work domain-start-failed"),
                    drain(ev, "work domain-start-failed"));
        }
        assertEquals("Halted", state("work"));
        assertEquals("Halted", state("net"));
        assertTrue(running().isEmpty());
    }

    @Test
    void autostartQubesStartOncePerBoot() throws Exception {
        c.ok("admin.vm.property.Set", "autostart", "work", "True");
        daemon.close();
        daemon = startDaemon();
        c = new LifeClient(daemon.paths().adminSocket());
        assertEquals("Halted", state("work"), "a daemon restart is no boot");
        daemon.close();
        // A host boot empties /var/run (a tmpfs): the marker is gone.
        Files.delete(root.resolve("var/run/qubes").resolve(Autostart.MARKER));
        daemon = startDaemon();
        c = new LifeClient(daemon.paths().adminSocket());
        for (int i = 0; i < 500 && !"Running".equals(state("work")); i++) {
            Thread.sleep(20);
        }
        assertEquals("Running", state("work"));
        assertEquals("Running", state("net"), "the netvm chain came first");
    }

    @Test
    void netvmWithRunningClientsRefusesShutdownUnlessForced() throws Exception {
        c.ok("admin.vm.Start", "", "work");
        assertTrue(c.call("admin.vm.Shutdown", "", "net").startsWith("2:QubesVMInUseError:"),
                () -> "got " + "shutdown of a used netvm");
        assertEquals("Running", state("net"));
        c.ok("admin.vm.Shutdown", "force+wait", "net");
        assertEquals("Halted", state("net"));
        assertEquals(java.util.Set.of("work"), running());
    }

    @Test
    void shutdownWaitEventsAndErrors() throws Exception {
        c.ok("admin.vm.Start", "", "net");
        try (LifeClient.Events ev = c.events()) {
            c.ok("admin.vm.Shutdown", "wait", "net");
            assertEquals("Halted", state("net"));
            assertEquals(List.of("net domain-pre-shutdown", "net domain-stopped", "net domain-shutdown"),
                    drain(ev, "net domain-shutdown"));
        }
        assertTrue(c.call("admin.vm.Shutdown", "", "net").startsWith("2:QubesVMNotStartedError:"));
        assertTrue(c.call("admin.vm.Kill", "", "net").startsWith("2:QubesVMNotStartedError:"));
        assertTrue(c.call("admin.vm.Pause", "", "net").startsWith("2:QubesVMNotRunningError:"));
        assertTrue(c.call("admin.vm.Shutdown", "bogus", "net").startsWith("2:ProtocolError:"));
        assertTrue(c.call("admin.vm.Start", "", "dom0").startsWith("2:QubesVMError:"));
        assertTrue(running().isEmpty());
    }

    @Test
    void pauseUnpauseKill() throws Exception {
        c.ok("admin.vm.Start", "", "net");
        assertTrue(c.call("admin.vm.Unpause", "", "net").startsWith("2:QubesVMNotPausedError:"));
        c.ok("admin.vm.Pause", "", "net");
        assertEquals("Paused", state("net"));
        assertTrue(c.call("admin.vm.Shutdown", "", "net").startsWith("2:QubesVMNotRunningError:"));
        c.ok("admin.vm.Unpause", "", "net");
        assertEquals("Running", state("net"));
        c.ok("admin.vm.Kill", "", "net");
        assertEquals("Halted", state("net"));
        assertTrue(running().isEmpty());
    }

    @Test
    void restartedDaemonTakesBackRunningQubesAndCleansUpDeadOnes() throws Exception {
        c.ok("admin.vm.Start", "", "work");
        RunningQube net = daemon.lifecycle().handle("net").orElseThrow();
        daemon.close();
        // While no daemon runs, net dies.
        new FakeDriver(host, EnumSet.allOf(Capability.class)).kill(net);
        daemon = startDaemon();
        c = new LifeClient(daemon.paths().adminSocket());
        assertEquals("Running", state("work"));
        assertEquals("Halted", state("net"));
        c.ok("admin.vm.Kill", "", "work");
        assertTrue(running().isEmpty());
    }

    @Test
    void qubeThatDiesByItselfShowsHalted() throws Exception {
        daemon.lifecycle().stopSafetyPoll(); // the driver's onStop alone must report it
        c.ok("admin.vm.Start", "", "net");
        RunningQube net = daemon.lifecycle().handle("net").orElseThrow();
        try (LifeClient.Events ev = c.events()) {
            new FakeDriver(host, EnumSet.allOf(Capability.class)).kill(net);
            drain(ev, "net domain-shutdown");
        }
        assertEquals("Halted", state("net"));
    }

    @Test
    void disposableIsCreatedTaggedAndRemovedAtShutdown() throws Exception {
        c.ok("admin.vm.property.Set", "template_for_dispvms", "work", "True");
        c.ok("admin.vm.property.Set", "default_dispvm", "work", "work");
        // A qube's admin call needs a policy rule (the default denies them all).
        Files.writeString(root.resolve("etc/qubes/policy.d/30-test.policy"),
                "admin.vm.CreateDisposable * work @adminvm allow target=dom0\n");
        String name = c.call("work", "admin.vm.CreateDisposable", "", "dom0");
        assertTrue(name.matches("0:disp[0-9]+"), name);
        name = name.substring(2);
        String tags = c.ok("admin.vm.tag.List", "", name);
        assertTrue(tags.contains("created-by-work") && tags.contains("disp-created-by-work"), tags);
        assertEquals("True", c.ok("admin.vm.property.Get", "auto_cleanup", name).split(" ")[2]);
        c.ok("admin.vm.Start", "", name);
        assertTrue(Files.isDirectory(root.resolve("var/lib/qubes/appvms/" + name + "/private")));
        c.ok("admin.vm.Shutdown", "wait", name);
        assertFalse(c.ok("admin.vm.List", "", "dom0").contains(name));
        assertFalse(Files.exists(root.resolve("var/lib/qubes/appvms/" + name)));
        assertFalse(Files.exists(root.resolve("var/run/qubes/" + name)));
        assertFalse(new String(Files.readAllBytes(root.resolve("var/lib/qubes/qubes.xml"))).contains(name));
        assertTrue(c.call("admin.vm.CreateDisposable", "", "tpl").startsWith("2:"), "tpl is no disposable template");
    }
}
