package org.qubicle.driver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.qubicle.model.exc.QubesNotImplementedError;

/**
 * Picks a driver by probing, as testcontainers' {@code DockerClientProviderStrategy} does:
 * every candidate is probed, the usable one with the highest rank wins, and when none is
 * usable the error lists every driver's reasons.
 */
public final class DriverSelector {
    private DriverSelector() {
    }

    public static IsolationDriver select(List<? extends IsolationDriver> candidates) {
        List<IsolationDriver> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingInt(IsolationDriver::rank).reversed());
        List<String> why = new ArrayList<>();
        for (IsolationDriver d : sorted) {
            Probe p = d.probe();
            if (p.usable()) {
                return d;
            }
            why.add(p.toString());
        }
        throw new QubesNotImplementedError("no isolation driver can run on this host: "
                + (why.isEmpty() ? "no drivers" : String.join(" | ", why)));
    }
}
