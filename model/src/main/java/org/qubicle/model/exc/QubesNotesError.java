package org.qubicle.model.exc;

/** Notes that cannot be read or written. */
public class QubesNotesError extends QubesException {
    public QubesNotesError(String message) {
        super(message);
    }
}
