package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.RootView;
import org.qubicle.driver.Exec;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.rootfs.BusyboxRootfs;
import org.qubicle.driver.testing.LeakCheck;

/** Nothing stays behind: after crashes, with overlays, and over many cycles. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class CleanupTest extends BwrapTestBase {

    @Test
    void daemonCrashThenQubeDiesThenReattachReaps() throws Exception {
        QubeSpec spec = spec("crash-dead", 7300);
        BwrapDriver first = new BwrapDriver();
        RunningQube q = first.start(spec);
        QubeProcess p = first.exec(q, ExecSpec.of("user", "sleep", "1000"));
        // The daemon is gone; while it is away the qube dies under it.
        long pid1 = BwrapDriver.pid1(q.pid()).orElseThrow();
        ProcessHandle.of(pid1).ifPresent(ProcessHandle::destroyForcibly);
        p.waitFor();
        p.close();
        BwrapDriver second = new BwrapDriver();
        assertEquals(Optional.empty(), second.reattach(spec));
        assertFalse(Files.exists(spec.runtimeDir().resolve("bwrap.state")));
        assertTrue(Cgroups.detect().cgroups().find(new QubeFiles(spec).cgroupLeaf()).isEmpty());
    }

    @Test
    void qubeThatStopsByItselfIsReportedAndCleanedUp() throws Exception {
        QubeSpec spec = spec("self-stop", 7306);
        RunningQube q = driver.start(spec);
        var stopped = driver.onStop(q);
        // Root inside asks its own init to stop, as a poweroff would.
        QubeProcess p = driver.exec(q, ExecSpec.of("root", "sh", "-c", "kill -TERM 2; sleep 1000"));
        assertEquals(q, stopped.get(60, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(driver.isRunning(q));
        assertFalse(Files.exists(spec.runtimeDir().resolve("bwrap.state")));
        assertTrue(Cgroups.detect().cgroups().find(new QubeFiles(spec).cgroupLeaf()).isEmpty());
        p.waitFor();
        p.close();
    }

    @Test
    void daemonCrashWithBusyQubeThenReattachAndKill() throws Exception {
        QubeSpec spec = spec("crash-busy", 7301);
        RunningQube q = new BwrapDriver().start(spec);
        QubeProcess p = new BwrapDriver().exec(q, ExecSpec.of("root", "sh", "-c", "sleep 1000 & sleep 1000"));
        RunningQube back = new BwrapDriver().reattach(spec).orElseThrow();
        assertEquals(q.pid(), back.pid());
        new BwrapDriver().kill(back);
        p.waitFor();
        p.close();
    }

    @Test
    void writableRootThroughOverlayIsUnmountedAtStop() throws Exception {
        int index = 7302;
        long base = QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index;
        Path rootfs = dir.resolve("owned-rootfs");
        BusyboxRootfs.build(rootfs, base);
        QubeSpec plain = spec("overlay", index);
        Path upper = dir.resolve("root-changes");
        QubeSpec spec = new QubeSpec(plain.name(), index, rootfs, new RootView.Overlay(upper), plain.privateDir(), 400, 0, 1,
                256, "overlay", plain.runtimeDir(), Optional.empty());
        RunningQube q = driver.start(spec);
        try {
            Exec.Result r = Exec.sh(driver, q, "root", "echo changed > /etc/motd && chown user /etc/motd && cat /etc/motd");
            assertEquals("changed\n", r.outText(), r.errText());
            assertEquals("1000\n", Exec.sh(driver, q, "user", "stat -c %u /etc/motd").outText());
            assertTrue(LeakCheck.snapshot().mounts().stream().anyMatch(m -> m.contains(upper.toString())));
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
        assertEquals("changed\n", Files.readString(upper.resolve("etc/motd")));
        assertEquals(base + 1000, ((Number) Files.getAttribute(upper.resolve("etc/motd"), "unix:uid")).longValue());
        assertFalse(Files.exists(rootfs.resolve("etc/motd")), "the lower rootfs was written");
    }

    @Test
    void writableRootInPlaceKeepsWritesAndReadOnlyRefusesThem() throws Exception {
        int index = 7304;
        long base = QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index;
        Path rootfs = dir.resolve("template-rootfs");
        BusyboxRootfs.build(rootfs, base);
        QubeSpec ours = spec("inplace", index);
        QubeSpec plain = new QubeSpec(ours.name(), index, rootfs, RootView.READ_ONLY, ours.privateDir(), 400, 0, 1,
                256, "inplace", ours.runtimeDir(), Optional.empty());
        RunningQube q = driver.start(plain.withRoot(RootView.WRITABLE));
        try {
            Exec.Result r = Exec.sh(driver, q, "root", "echo installed > /usr/bin/newtool && cat /usr/bin/newtool");
            assertEquals("installed\n", r.outText(), r.errText());
            assertTrue(Exec.sh(driver, q, "user", "echo x > /etc/by-user").exit() != 0,
                    "the qube's user may not write root's files");
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
        assertEquals("installed\n", Files.readString(rootfs.resolve("usr/bin/newtool")), "the write went to the rootfs");
        assertEquals(base, ((Number) Files.getAttribute(rootfs.resolve("usr/bin/newtool"), "unix:uid")).longValue());
        RunningQube ro = driver.start(plain.withRoot(RootView.READ_ONLY));
        try {
            Exec.Result r = Exec.sh(driver, ro, "root", "echo again > /usr/bin/newtool");
            assertTrue(r.exit() != 0 && r.errText().contains("Read-only"), r.errText());
        } finally {
            assertTrue(driver.shutdown(ro, Duration.ofSeconds(30)));
        }
        assertEquals("installed\n", Files.readString(rootfs.resolve("usr/bin/newtool")));
    }

    @Test
    void joinsAGivenNetworkNamespace() throws Exception {
        String ns = "qubicle-drv-" + ProcessHandle.current().pid();
        assertEquals(0, Host.run(java.util.List.of("ip", "netns", "add", ns)));
        try {
            // No kernel modules here (no dummy/veth), so mark the namespace by an address on lo.
            assertEquals(0, Host.run(java.util.List.of("ip", "-n", ns, "addr", "add", "10.213.7.9/32", "dev", "lo")));
            QubeSpec plain = spec("netns", 7303);
            QubeSpec spec = new QubeSpec(plain.name(), plain.index(), plain.rootfs(), RootView.READ_ONLY,
                    plain.privateDir(), 400, 0, 1, 256, "netns", plain.runtimeDir(),
                    Optional.of(Path.of("/run/netns", ns)));
            RunningQube q = driver.start(spec);
            try {
                assertTrue(Exec.sh(driver, q, "user", "ip -o addr").outText().contains("10.213.7.9"));
            } finally {
                driver.shutdown(q, Duration.ofSeconds(30));
            }
        } finally {
            Host.run(java.util.List.of("ip", "netns", "delete", ns));
        }
    }

    /**
     * The qube owns its private volume, so its root can replace /rw/home with a symlink
     * while it runs. A later exec must still see the home it started with, never what the
     * symlink points at on the host (bwrap resolves bind sources on the host side).
     */
    @Test
    void swappingHomeForASymlinkDoesNotExposeTheHost() throws Exception {
        RunningQube q = driver.start(spec("homeswap", 7305));
        try {
            for (String target : new String[] {"/oldroot", "../../../../../../../../..", "/"}) {
                Exec.Result r = Exec.sh(driver, q, "root",
                        "if [ -L /rw/home ]; then rm /rw/home; else mv /rw/home /rw/home.real; fi; ln -s " + target
                                + " /rw/home && echo swapped");
                assertEquals("swapped\n", r.outText(), r.errText());
                Exec.Result look = Exec.sh(driver, q, "user", "ls /home; [ -e /home/etc/debian_version ] && echo HOST");
                assertFalse(look.outText().contains("HOST"), "host root visible at /home via " + target);
                assertTrue(look.outText().contains("user"), look.outText() + look.errText());
            }
        } finally {
            driver.kill(q);
        }
    }

    @Test
    void churnOfThreeHundredCyclesLeavesNothing() throws Exception {
        QubeSpec spec = spec("churn", 7304);
        for (int i = 0; i < 300; i++) {
            RunningQube q = driver.start(spec);
            Exec.Result r = Exec.sh(driver, q, i % 2 == 0 ? "user" : "root", "echo " + i);
            assertEquals(i + "\n", r.outText(), r.errText());
            if (i % 10 == 9) {
                driver.kill(q);
            } else {
                assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
            }
        }
    }
}
