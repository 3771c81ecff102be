package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

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

    /**
     * A pid namespace's init, killed, stays in its exit until every process of its namespace
     * is reaped: here a child whose parent (nsenter, outside) is stopped. It is no zombie
     * then, yet it has exited.
     */
    @Test
    @EnabledIfSystemProperty(named = "qubicle.integration", matches = "true") // root: unshare --pid
    void aKilledNamespaceInitStillExitingCountsAsExited() throws Exception {
        Process ns = new ProcessBuilder("unshare", "--pid", "--fork", "sleep", "1000").start();
        Process joiner = null;
        try {
            long init = awaitChild(ns.pid());
            joiner = new ProcessBuilder("nsenter", "--target", Long.toString(init), "--pid", "--", "sleep", "1000")
                    .start();
            awaitChild(joiner.pid());
            assertFalse(Host.exited(init));
            signal("STOP", joiner.pid());
            ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly);
            for (int i = 0; i < 500 && !Host.exited(init); i++) {
                Thread.sleep(10);
            }
            assertTrue(Host.exited(init));
            assertTrue(statState(init) != 'Z' && statState(init) != '?', "the init is still in its exit");
        } finally {
            if (joiner != null) {
                signal("CONT", joiner.pid());
                joiner.destroyForcibly();
                joiner.waitFor(10, TimeUnit.SECONDS);
            }
            ns.destroyForcibly();
            ns.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long awaitChild(long parent) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            var c = Host.children(parent);
            if (!c.isEmpty()) {
                return c.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no child of " + parent);
    }

    private static void signal(String sig, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
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
