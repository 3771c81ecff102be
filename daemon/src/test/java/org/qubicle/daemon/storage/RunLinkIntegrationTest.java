package org.qubicle.daemon.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.api.client.AdminClient;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.driver.rootfs.BusyboxRootfs;
import org.qubicle.driver.testing.LeakCheck;

/**
 * On a real host {@code /var/run} is a link to {@code /run}, and the kernel's mount table
 * names real paths. A root laid out that way must start and stop qubes as often as asked
 * with the same mounts each time, and leave none (the daemon once stacked its shared binds
 * there at every start, 36,000 mounts after a few). Root, {@code -Dqubicle.integration=true}.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class RunLinkIntegrationTest {
    @Test
    void startsAndStopsThroughALinkedRunDirectoryLeaveTheSameMounts() throws Exception {
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        Path root = Files.createTempDirectory("qubicle-runlink");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("run"));
        Files.createDirectories(root.resolve("var"));
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("../run"));
        try (Daemon daemon = Daemon.start(new QubesPaths(root))) {
            AdminClient c = new AdminClient(daemon.paths().adminSocket());
            c.callText("dom0", "admin.vm.Create.TemplateVM", "", "name=rltpl label=black");
            BusyboxRootfs.build(root.resolve("var/lib/qubes/vm-templates/rltpl/root-tree"));
            c.callText("dom0", "admin.vm.Create.AppVM", "rltpl", "name=rlwork label=blue");
            c.callText("rlwork", "admin.vm.property.Set", "memory", "200");
            long whileRunning = -1;
            long stopped = -1;
            for (int i = 0; i < 3; i++) {
                c.callText("rlwork", "admin.vm.Start", "", null);
                long n = mountsUnder(root.resolve("run"));
                assertTrue(n > 0, "the qube's volumes are mounted under the real run directory");
                if (whileRunning >= 0) {
                    assertEquals(whileRunning, n, "start " + (i + 1) + " mounts what the first did");
                }
                whileRunning = n;
                c.callText("rlwork", "admin.vm.Kill", "", null);
                long after = settled(root.resolve("run"), whileRunning);
                assertTrue(after < whileRunning, "a stopped qube's volumes are unmounted");
                if (stopped >= 0) {
                    assertEquals(stopped, after, "stop " + (i + 1) + " leaves what the first left");
                }
                stopped = after;
            }
        } finally {
            LeakCheck.assertNoLeaks(before, root.toString(), "rlwork", "rltpl");
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The mount count once it has left {@code running} (a stop's clean-up may end after Kill answers). */
    private static long settled(Path dir, long running) throws Exception {
        long n = mountsUnder(dir);
        for (int i = 0; i < 200 && n >= running; i++) {
            Thread.sleep(50);
            n = mountsUnder(dir);
        }
        return n;
    }

    private static long mountsUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath() + "/";
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.map(l -> l.split(" ")[4]).filter(m -> m.startsWith(prefix)).count();
        }
    }
}
