package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.HostInfo;
import org.qubicle.model.Qubes;
import org.qubicle.store.QubesStore;

/**
 * DESIGN §8: an acknowledged write survives {@code kill -9}. A child daemon takes a stream of
 * writes and is killed at a random moment, 200 times over (system property
 * {@code qubicle.kill9.cycles} to change). After every kill, qubes.xml must parse and every write
 * acknowledged so far must be in it, and the restarted daemon must report them.
 */
class KillNineTest {
    @Test
    void acknowledgedWritesSurviveSigkill(@TempDir Path root) throws Exception {
        int cycles = Integer.getInteger("qubicle.kill9.cycles", 200);
        long seed = Long.getLong("qubicle.kill9.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Path log = root.resolve("qubesd.log");
        Set<String> acked = new TreeSet<>();
        int sent = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            if (cycle % 50 == 0) {
                System.out.println("KillNineTest: cycle " + cycle + ", " + acked.size() + " writes acknowledged so far");
            }
            try (DaemonProcess d = DaemonProcess.start(root.resolve("r"), log)) {
                RawClient c = new RawClient(d.socket());
                // The restarted daemon serves what the killed one acknowledged.
                RawClient.Reply list = c.call("admin.vm.feature.List", "", "dom0", "");
                Set<String> present = new TreeSet<>(List.of(((RawClient.Reply.Ok) list).value().split("\n")));
                present.remove("");
                assertTrue(present.containsAll(acked), () -> "seed " + seed + ": lost " + missing(acked, present));

                List<String> thisCycle = new ArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                Semaphore acks = new Semaphore(0);
                int first = sent;
                int writes = 3 + rnd.nextInt(2);
                sent += writes;
                Thread writer = Thread.ofVirtual().start(() -> {
                    for (int i = first; i < first + writes && !stop.get(); i++) {
                        String name = "k" + i;
                        try {
                            if (c.call("admin.vm.feature.Set", name, "dom0", "v" + i) instanceof RawClient.Reply.Ok) {
                                synchronized (thisCycle) {
                                    thisCycle.add(name);
                                }
                                acks.release();
                            }
                        } catch (java.io.IOException e) {
                            return; // killed mid-call: not acknowledged
                        }
                    }
                });
                // Kill after a random number of acknowledgements plus a random fraction of a
                // call, so kills land before, inside and after the saves.
                int wanted = rnd.nextInt(writes);
                assertTrue(acks.tryAcquire(wanted, 60, java.util.concurrent.TimeUnit.SECONDS),
                        "seed " + seed + ": writes were not acknowledged");
                Thread.sleep(0, rnd.nextInt(999_999));
                if (rnd.nextBoolean()) {
                    Thread.sleep(rnd.nextInt(3));
                }
                d.kill();
                stop.set(true);
                writer.join();
                synchronized (thisCycle) {
                    acked.addAll(thisCycle);
                }
            }
            Path xml = new QubesPaths(root.resolve("r")).qubesXml();
            assertTrue(Files.exists(xml));
            Qubes app = assertDoesNotThrow(() -> new QubesStore(root.resolve("r")).load(HostInfo.probe()),
                    "seed " + seed + ": qubes.xml unreadable");
            Set<String> stored = new TreeSet<>(app.adminVm().features().asMap().keySet());
            assertTrue(stored.containsAll(acked), () -> "seed " + seed + ": lost " + missing(acked, stored));
        }
        // The test must have acknowledged writes to mean anything.
        assertTrue(acked.size() > cycles / 2, "only " + acked.size() + " writes acknowledged");
        try (DaemonProcess d = DaemonProcess.start(root.resolve("r"), log)) {
            assertEquals(143, d.terminate(), "SIGTERM ends qubesd through its shutdown hook");
            assertTrue(Files.notExists(d.socket()), "clean shutdown removes the socket");
        }
    }

    private static Set<String> missing(Set<String> acked, Set<String> present) {
        Set<String> m = new TreeSet<>(acked);
        m.removeAll(present);
        return m;
    }
}
