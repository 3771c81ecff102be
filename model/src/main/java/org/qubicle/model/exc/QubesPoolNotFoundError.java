package org.qubicle.model.exc;

/** An unknown storage pool. */
public class QubesPoolNotFoundError extends QubesException {
    public QubesPoolNotFoundError(String message) {
        super(message);
    }
}
