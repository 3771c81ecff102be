package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The /proc readings the driver decides liveness by, on real processes. */
class HostTest {
    @Test
    void aZombieCountsAsExitedAndARunningProcessDoesNot() throws Exception {
        // The inner sleep's parent (the exec'd outer sleep) never waits: it stays a zombie.
        Process outer = new ProcessBuilder("sh", "-c", "sleep 0.05 & exec sleep 30").start();
        try {
            long zombie = -1;
            for (int i = 0; i < 200 && zombie < 0; i++) {
                zombie = Host.children(outer.pid()).stream()
                        .filter(c -> statState(c) == 'Z').findFirst().orElse(-1L);
                Thread.sleep(10);
            }
            assertTrue(zombie > 0, "no zombie child appeared");
            assertTrue(Host.exited(zombie));
            assertFalse(Host.exited(outer.pid()));
            assertTrue(Host.exited(Integer.MAX_VALUE), "a pid that does not exist");
        } finally {
            outer.destroyForcibly();
            outer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static char statState(long pid) {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (java.io.IOException e) {
            return '?';
        }
    }
}
