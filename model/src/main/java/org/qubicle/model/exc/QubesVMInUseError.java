package org.qubicle.model.exc;

/** A qube still used by another (template, netvm, a global default). */
public class QubesVMInUseError extends QubesVMError {
    public QubesVMInUseError(String message) {
        super(message);
    }
}
