package org.qubicle.daemon.lifecycle;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.qubicle.driver.Capability;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.Probe;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.QubeStats;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.exc.QubesNotImplementedError;

/** Stands in when no driver can run here: every operation says why; nothing is running. */
final class UnavailableDriver implements IsolationDriver {
    private final String why;

    UnavailableDriver(String why) {
        this.why = why;
    }

    private QubesNotImplementedError no() {
        return new QubesNotImplementedError(why);
    }

    @Override public String name() { return "none"; }
    @Override public int rank() { return -1; }
    @Override public Probe probe() { return Probe.of(name(), java.util.List.of(why)); }
    @Override public Set<Capability> capabilities() { return Set.of(); }
    @Override public RunningQube start(QubeSpec spec) { throw no(); }
    @Override public boolean shutdown(RunningQube qube, Duration timeout) { throw no(); }
    @Override public void kill(RunningQube qube) { throw no(); }
    @Override public void pause(RunningQube qube) { throw no(); }
    @Override public void unpause(RunningQube qube) { throw no(); }
    @Override public QubeProcess exec(RunningQube qube, ExecSpec exec) { throw no(); }
    @Override public Optional<org.qubicle.driver.FoundPath> lookupFirst(RunningQube qube, java.util.List<String> paths) {
        throw no();
    }
    @Override public Optional<byte[]> readFirst(RunningQube qube, java.util.List<String> paths, int max) { throw no(); }
    @Override public java.nio.channels.SocketChannel connectUnix(RunningQube qube, String path) { throw no(); }
    @Override public Optional<RunningQube> reattach(QubeSpec spec) { return Optional.empty(); }
    @Override public boolean isRunning(RunningQube qube) { return false; }
    @Override public java.util.concurrent.CompletableFuture<RunningQube> onStop(RunningQube qube) {
        return java.util.concurrent.CompletableFuture.completedFuture(qube);
    }
    @Override public QubeStats stats(RunningQube qube) { throw no(); }
}
