package org.qubicle.model.firewall;

import org.qubicle.model.exc.QubesValueError;

/** A port range {@code lo-hi}, 0 to 65535; written as a range even for one port. */
public record PortRange(int low, int high) {
    public PortRange {
        if (low < 0 || high > 65535 || low > high) {
            throw new QubesValueError("Invalid port range");
        }
    }

    public static PortRange parse(String untrusted) {
        String[] parts = untrusted.split("-", -1);
        if (parts.length > 2 || !untrusted.matches("[0-9]{1,5}(-[0-9]{1,5})?")) {
            throw new QubesValueError("Invalid port range: " + untrusted);
        }
        int lo = Integer.parseInt(parts[0]);
        int hi = parts.length == 2 ? Integer.parseInt(parts[1]) : lo;
        return new PortRange(lo, hi);
    }

    @Override
    public String toString() {
        return low + "-" + high;
    }
}
