package org.qubicle.model.exc;

/** The qube is not suspended. */
public class QubesVMNotSuspendedError extends QubesVMError {
    public QubesVMNotSuspendedError(String message) {
        super(message);
    }
}
