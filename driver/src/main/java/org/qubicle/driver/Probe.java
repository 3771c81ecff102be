package org.qubicle.driver;

import java.util.List;
import java.util.Objects;

/**
 * Whether a driver can run on this host, and every reason why not.
 *
 * @param driver  the driver's name
 * @param usable  true when the driver can start qubes here
 * @param reasons why it cannot (empty when usable); also notes that do not block it
 */
public record Probe(String driver, boolean usable, List<String> reasons) {
    public Probe {
        Objects.requireNonNull(driver, "driver");
        reasons = List.copyOf(reasons);
        if (!usable && reasons.isEmpty()) {
            throw new IllegalArgumentException("an unusable driver must say why");
        }
    }

    public static Probe ok(String driver) {
        return new Probe(driver, true, List.of());
    }

    /** Usable when {@code reasons} is empty. */
    public static Probe of(String driver, List<String> reasons) {
        return new Probe(driver, reasons.isEmpty(), reasons);
    }

    @Override
    public String toString() {
        return driver + (usable ? ": usable" : ": unusable: " + String.join("; ", reasons));
    }
}
