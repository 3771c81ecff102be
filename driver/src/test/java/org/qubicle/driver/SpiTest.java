package org.qubicle.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qubicle.driver.fake.FakeDriver;
import org.qubicle.model.exc.QubesNotImplementedError;

/** Value validation, driver choice and named errors; no root needed. */
class SpiTest {
    private static final Path R = Path.of("/var/lib/qubes");

    private static QubeSpec spec(String name, int index) {
        return QubeSpec.of(name, index, R.resolve("root"), R.resolve("private"), Path.of("/run/qubes").resolve(name));
    }

    @Test
    void uidRangesFollowTheIndex() {
        assertEquals(100_000, spec("a", 0).baseUid());
        assertEquals(100_000 + 65_536L * 3, spec("a", 3).baseUid());
        assertTrue(spec("a", QubeSpec.MAX_INDEX).baseUid() + 65_535 < 0xFFFF_FFFFL);
    }

    @Test
    void specRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> spec("1abc", 0));
        assertThrows(IllegalArgumentException.class, () -> spec("a/b", 0));
        assertThrows(IllegalArgumentException.class, () -> spec("x".repeat(32), 0));
        assertThrows(IllegalArgumentException.class, () -> spec("a", -1));
        assertThrows(IllegalArgumentException.class, () -> spec("a", QubeSpec.MAX_INDEX + 1));
        assertThrows(IllegalArgumentException.class, () -> QubeSpec.of("a", 0, Path.of("rel"), R, R));
        assertThrows(IllegalArgumentException.class, () -> spec("a", 0).withLimits(400, 100, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> spec("a", 0).withLimits(400, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> spec("a", 0).withLimits(400, 0, 1, 0));
        assertEquals(4000L << 20, spec("a", 0).withLimits(400, 4000, 2, 10).memoryLimitBytes());
        assertEquals(400L << 20, spec("a", 0).memoryLimitBytes());
        assertEquals("sys-net", spec("sys.net", 0).hostname());
    }

    @Test
    void execSpecValidates() {
        assertEquals(1000, ExecSpec.of("user", "id").uid());
        assertEquals(0, ExecSpec.of("root", "id").uid());
        assertThrows(IllegalArgumentException.class, () -> ExecSpec.of("nobody", "id"));
        assertThrows(IllegalArgumentException.class, () -> ExecSpec.of("user"));
        assertThrows(IllegalArgumentException.class, () -> ExecSpec.of("user", "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> new ExecSpec("user", List.of("id"), Map.of("A=B", "x")));
    }

    @Test
    void probeMustSayWhy() {
        assertThrows(IllegalArgumentException.class, () -> new Probe("x", false, List.of()));
        assertTrue(Probe.of("x", List.of()).usable());
        assertTrue(Probe.of("x", List.of("no bwrap")).toString().contains("no bwrap"));
    }

    /** A driver that is never usable; probe() is all the selector may call. */
    private static IsolationDriver unusable(String name, int rank, String why) {
        return new IsolationDriver() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int rank() {
                return rank;
            }

            @Override
            public Probe probe() {
                return Probe.of(name, List.of(why));
            }

            @Override
            public java.util.Set<Capability> capabilities() {
                return java.util.Set.of();
            }

            @Override
            public RunningQube start(QubeSpec spec) {
                throw new AssertionError();
            }

            @Override
            public boolean shutdown(RunningQube qube, java.time.Duration timeout) {
                throw new AssertionError();
            }

            @Override
            public void kill(RunningQube qube) {
                throw new AssertionError();
            }

            @Override
            public java.util.Optional<FoundPath> lookupFirst(RunningQube qube, java.util.List<String> paths) {
                throw new AssertionError();
            }

            @Override
            public java.util.Optional<byte[]> readFirst(RunningQube qube, java.util.List<String> paths, int max) {
                throw new AssertionError();
            }

            @Override
            public java.nio.channels.SocketChannel connectUnix(RunningQube qube, String path) {
                throw new AssertionError();
            }

            @Override
            public void pause(RunningQube qube) {
                throw new AssertionError();
            }

            @Override
            public void unpause(RunningQube qube) {
                throw new AssertionError();
            }

            @Override
            public QubeProcess exec(RunningQube qube, ExecSpec exec) {
                throw new AssertionError();
            }

            @Override
            public Optional<RunningQube> reattach(QubeSpec spec) {
                throw new AssertionError();
            }

            @Override
            public boolean isRunning(RunningQube qube) {
                throw new AssertionError();
            }

            @Override
            public java.util.concurrent.CompletableFuture<RunningQube> onStop(RunningQube qube) {
                throw new AssertionError();
            }

            @Override
            public QubeStats stats(RunningQube qube) {
                throw new AssertionError();
            }
        };
    }

    @Test
    void selectorTakesTheBestUsableDriver() {
        FakeDriver fake = new FakeDriver();
        assertSame(fake, DriverSelector.select(List.of(fake, unusable("bwrap", 100, "bubblewrap missing"))));
        var err = assertThrows(QubesNotImplementedError.class, () -> DriverSelector.select(
                List.of(unusable("bwrap", 100, "bubblewrap missing"), unusable("qemu", 50, "no /dev/kvm"))));
        assertTrue(err.getMessage().contains("bubblewrap missing") && err.getMessage().contains("no /dev/kvm"),
                err.getMessage());
    }

    @Test
    void missingCapabilityIsANamedError() {
        FakeDriver d = new FakeDriver(new FakeDriver.FakeHost(), EnumSet.of(Capability.LIFECYCLE));
        RunningQube q = d.start(spec("plain", 1));
        assertThrows(QubesNotImplementedError.class, () -> d.pause(q));
        assertThrows(QubesNotImplementedError.class, () -> d.exec(q, ExecSpec.of("user", "true")));
        assertThrows(QubesNotImplementedError.class, () -> d.stats(q));
        assertThrows(QubesNotImplementedError.class, () -> d.reattach(spec("plain", 1)));
        d.kill(q);
        assertTrue(d.host().running().isEmpty());
    }
}
