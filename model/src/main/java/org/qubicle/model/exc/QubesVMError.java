package org.qubicle.model.exc;

/** A qube in the wrong state for the operation. */
public class QubesVMError extends QubesException {
    public QubesVMError(String message) {
        super(message);
    }
}
