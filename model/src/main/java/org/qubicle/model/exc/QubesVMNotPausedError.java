package org.qubicle.model.exc;

/** The qube is not paused. */
public class QubesVMNotPausedError extends QubesVMError {
    public QubesVMNotPausedError(String message) {
        super(message);
    }
}
