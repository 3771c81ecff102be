package org.qubicle.model.exc;

/** A tag name outside {@code [A-Za-z0-9_-]+}. */
public class QubesInvalidTagError extends QubesException {
    public QubesInvalidTagError(String message) {
        super(message);
    }
}
