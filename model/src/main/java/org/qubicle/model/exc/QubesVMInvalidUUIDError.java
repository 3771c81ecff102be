package org.qubicle.model.exc;

/** A malformed {@code uuid:} reference. */
public class QubesVMInvalidUUIDError extends QubesException {
    public QubesVMInvalidUUIDError(String message) {
        super(message);
    }
}
