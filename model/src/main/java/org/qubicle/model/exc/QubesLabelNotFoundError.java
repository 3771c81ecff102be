package org.qubicle.model.exc;

/** An unknown label: {@code Label does not exist: X}. */
public class QubesLabelNotFoundError extends QubesException {
    public QubesLabelNotFoundError(String message) {
        super(message);
    }
}
