package org.qubicle.model.exc;

/** The qube is not running. */
public class QubesVMNotRunningError extends QubesVMError {
    public QubesVMNotRunningError(String message) {
        super(message);
    }
}
