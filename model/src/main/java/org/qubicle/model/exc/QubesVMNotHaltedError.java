package org.qubicle.model.exc;

/** The qube is not halted. */
public class QubesVMNotHaltedError extends QubesVMError {
    public QubesVMNotHaltedError(String message) {
        super(message);
    }
}
