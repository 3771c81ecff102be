package org.qubicle.model.exc;

/** A tag that is not set. Clients treat it as a KeyError. */
public class QubesTagNotFoundError extends QubesException {
    public QubesTagNotFoundError(String message) {
        super(message);
    }
}
