package org.qubicle.policy;

import java.util.Objects;

/**
 * Why a policy could not be loaded. While a policy has an error every call is denied.
 *
 * @param file the file (relative to the top-level policy directory when inside it), or
 *     {@code <unknown>}
 * @param line the 1-based line, or 0 when the problem is not on a line (e.g. a bad file name)
 * @param message what is wrong, worded like upstream
 */
public record PolicyError(String file, int line, String message) {
    public PolicyError {
        Objects.requireNonNull(file);
        Objects.requireNonNull(message);
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
