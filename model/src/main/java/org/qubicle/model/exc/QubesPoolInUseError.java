package org.qubicle.model.exc;

/** A pool that still holds volumes, or a duplicate pool name. */
public class QubesPoolInUseError extends QubesException {
    public QubesPoolInUseError(String message) {
        super(message);
    }
}
