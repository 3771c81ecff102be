package org.qubicle.model.exc;

/** The qube is already started. */
public class QubesVMAlreadyStartedError extends QubesVMError {
    public QubesVMAlreadyStartedError(String message) {
        super(message);
    }
}
