package org.qubicle.api.handlers;

import org.qubicle.model.exc.ProtocolError;

/** Strict decimal parsing of untrusted numbers: no sign but a leading minus, no leading zeros. */
final class Ints {
    private Ints() {
    }

    /** Parses an int not below {@code min}, else {@link ProtocolError}. */
    static int parse(String untrusted, int min) {
        if (!untrusted.matches("-?(0|[1-9][0-9]{0,8})")) {
            throw new ProtocolError("Invalid value");
        }
        int n = Integer.parseInt(untrusted);
        if (n < min) {
            throw new ProtocolError("Invalid value");
        }
        return n;
    }

    /** A size in bytes: at most 19 digits, no leading zeros. */
    static long size(String untrusted) {
        if (!untrusted.matches("0|[1-9][0-9]{0,18}")) {
            throw new ProtocolError("Invalid size");
        }
        try {
            return Long.parseLong(untrusted);
        } catch (NumberFormatException e) {
            throw new ProtocolError("Invalid size");
        }
    }
}
