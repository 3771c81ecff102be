package org.qubicle.model.exc;

/** A label still used by a qube. */
public class QubesLabelInUseError extends QubesException {
    public QubesLabelInUseError(String message) {
        super(message);
    }
}
