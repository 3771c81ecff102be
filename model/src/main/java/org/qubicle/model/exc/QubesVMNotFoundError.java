package org.qubicle.model.exc;

/** An unknown qube: {@code No such domain: 'name'}. */
public class QubesVMNotFoundError extends QubesException {
    public QubesVMNotFoundError(String message) {
        super(message);
    }
}
