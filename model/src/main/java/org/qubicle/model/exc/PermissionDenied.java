package org.qubicle.model.exc;

/** A call refused by policy, or an argument outside the allowed set. */
public class PermissionDenied extends RuntimeException {
    public PermissionDenied(String message) {
        super(message);
    }

    public String wireName() {
        return getClass().getSimpleName();
    }
}
