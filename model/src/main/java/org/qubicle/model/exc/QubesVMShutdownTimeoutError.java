package org.qubicle.model.exc;

/** The qube did not stop within its shutdown_timeout. */
public class QubesVMShutdownTimeoutError extends QubesVMError {
    public QubesVMShutdownTimeoutError(String message) {
        super(message);
    }
}
