package org.qubicle.model.exc;

/** A value that fails validation. */
public class QubesValueError extends QubesException {
    public QubesValueError(String message) {
        super(message);
    }
}
