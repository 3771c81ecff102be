package org.qubicle.storage;

import java.util.List;
import java.util.Objects;

/**
 * Whether a driver can run on this host, and if not, why.
 *
 * @param available true if the driver can create pools here
 * @param reasons   what is missing (empty when available), or notes on reduced function
 */
public record Probe(boolean available, List<String> reasons) {
    public Probe {
        reasons = List.copyOf(Objects.requireNonNull(reasons, "reasons"));
        if (!available && reasons.isEmpty()) {
            throw new IllegalArgumentException("an unavailable driver must say why");
        }
    }

    public static Probe ok(List<String> notes) {
        return new Probe(true, notes);
    }

    public static Probe unavailable(List<String> reasons) {
        return new Probe(false, reasons);
    }
}
