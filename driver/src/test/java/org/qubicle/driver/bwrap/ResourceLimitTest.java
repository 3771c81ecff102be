package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.Exec;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.RunningQube;

/** cgroup limits hold inside one qube and do not touch its neighbour. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class ResourceLimitTest extends BwrapTestBase {

    @Test
    void allocationPastMaxmemIsOomKilledWhileAnotherQubeCarriesOn() throws Exception {
        QubeSpec small = spec("oom-small", 7200).withLimits(32, 64, 1, 256);
        RunningQube q = driver.start(small);
        RunningQube other = driver.start(spec("oom-other", 7201));
        try {
            // dd allocates and fills a 256 MiB buffer: four times the qube's maxmem.
            Exec.Result r = Exec.sh(driver, q, "user", "dd if=/dev/zero of=/dev/null bs=256M count=1; echo rc=$?");
            assertTrue(r.outText().contains("rc=137") || r.outText().contains("rc=9"),
                    "dd was not killed: " + r.outText() + r.errText());
            assertTrue(driver.isRunning(q), "the whole qube died, not just the greedy process");
            assertEquals("alive\n", Exec.sh(driver, q, "user", "echo alive").outText());
            assertTrue(driver.stats(q).memoryBytes() <= 64L << 20);
            assertEquals("fine\n", Exec.sh(driver, other, "user", "echo fine").outText());
            assertTrue(oomKills(small) > 0, "no OOM kill recorded in the qube's cgroup");
        } finally {
            driver.kill(q);
            driver.kill(other);
        }
    }

    @Test
    void cpuTimeIsCountedWhereTheHostHasAccounting() throws Exception {
        Cgroups cgroups = Cgroups.detect().cgroups();
        boolean accounting = !(cgroups instanceof CgroupsV1 v1) || v1.mounts().containsKey(CgroupsV1.ACCOUNTING);
        RunningQube q = driver.start(spec("cpu-time", 7210));
        try {
            long before = driver.stats(q).cpuNanos();
            Exec.Result r = Exec.sh(driver, q, "user", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; echo $i");
            assertEquals("30000\n", r.outText());
            long after = driver.stats(q).cpuNanos();
            if (accounting) {
                assertTrue(before >= 0 && after > before, "CPU time not counted: " + before + " then " + after);
            } else {
                assertEquals(-1, after, "no accounting controller, so unknown");
            }
        } finally {
            driver.kill(q);
        }
    }

    /** A number from the qube's pids controller file ({@code prefix} picks the line); -1 without the file. */
    private long pidsFile(QubeSpec spec, String file, String prefix) throws Exception {
        QubeCgroup cg = Cgroups.detect().cgroups().find(new QubeFiles(spec).cgroupLeaf()).orElseThrow();
        for (var d : cg.dirs()) {
            var p = d.resolve(file);
            if (java.nio.file.Files.exists(p)) {
                for (String l : java.nio.file.Files.readAllLines(p)) {
                    if (l.startsWith(prefix)) {
                        return Long.parseLong(l.substring(prefix.length()).trim());
                    }
                }
            }
        }
        return -1;
    }

    private long oomKills(QubeSpec spec) throws Exception {
        QubeCgroup cg = Cgroups.detect().cgroups().find(new QubeFiles(spec).cgroupLeaf()).orElseThrow();
        for (var d : cg.dirs()) {
            for (String f : new String[] {"memory.oom_control", "memory.events"}) {
                var p = d.resolve(f);
                if (java.nio.file.Files.exists(p)) {
                    for (String l : java.nio.file.Files.readAllLines(p)) {
                        if (l.startsWith("oom_kill ")) {
                            return Long.parseLong(l.substring(9).trim());
                        }
                    }
                }
            }
        }
        return -1;
    }

    @Test
    void forkBombIsContainedByPidsMax() throws Exception {
        int limit = 64;
        QubeSpec bombSpec = spec("bomb", 7202).withLimits(64, 0, 1, limit);
        RunningQube q = driver.start(bombSpec);
        RunningQube other = driver.start(spec("bomb-other", 7203));
        QubeProcess bomb = null;
        try {
            bomb = driver.exec(q, ExecSpec.of("user", "sh", "-c", "b() { b | b & }; b; sleep 1000"));
            // The bomb's shells exit once they forked, so its count comes in waves that a poll
            // can miss (it saw 8 of 64 on a fast host). The kernel counts every fork it refused
            // at the limit: that is the proof the bomb reached it.
            long refused = 0;
            for (int i = 0; i < 500 && refused == 0; i++) {
                refused = pidsFile(bombSpec, "pids.events", "max ");
                Thread.sleep(20);
            }
            assertTrue(refused > 0, "the bomb was never refused a fork at the limit");
            for (int i = 0; i < 20; i++) {
                assertTrue(driver.stats(q).pids() <= limit);
            }
            long peak = pidsFile(bombSpec, "pids.peak", "");
            assertTrue(peak <= limit, "pids.peak " + peak);
            assertEquals("fine\n", Exec.sh(driver, other, "user", "echo fine").outText());
        } finally {
            driver.kill(q);
            driver.kill(other);
            if (bomb != null) {
                assertNotEquals(0, bomb.waitFor());
                bomb.close();
            }
        }
        assertTrue(!driver.isRunning(q));
        assertTrue(driver.shutdown(q, Duration.ofSeconds(1)));
    }
}
