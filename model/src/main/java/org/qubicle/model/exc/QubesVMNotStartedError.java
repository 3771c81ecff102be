package org.qubicle.model.exc;

/** The qube is not started. */
public class QubesVMNotStartedError extends QubesVMError {
    public QubesVMNotStartedError(String message) {
        super(message);
    }
}
