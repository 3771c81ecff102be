package org.qubicle.model.exc;

/** A feature that is not set. Clients treat it as a KeyError. */
public class QubesFeatureNotFoundError extends QubesException {
    public QubesFeatureNotFoundError(String message) {
        super(message);
    }
}
