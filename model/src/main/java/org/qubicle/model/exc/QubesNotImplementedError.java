package org.qubicle.model.exc;

/** An operation this host or driver cannot do. */
public class QubesNotImplementedError extends QubesException {
    public QubesNotImplementedError(String message) {
        super(message);
    }
}
