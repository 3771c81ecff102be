package org.qubicle.model.exc;

/** Not enough memory to start the qube. */
public class QubesMemoryError extends QubesVMError {
    public QubesMemoryError(String message) {
        super(message);
    }
}
