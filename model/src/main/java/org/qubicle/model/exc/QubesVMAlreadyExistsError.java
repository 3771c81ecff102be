package org.qubicle.model.exc;

/** A qube of that name exists already. */
public class QubesVMAlreadyExistsError extends QubesException {
    public QubesVMAlreadyExistsError(String message) {
        super(message);
    }
}
