package org.qubicle.model.exc;

/** An unknown volume. */
public class QubesVolumeNotFoundError extends QubesException {
    public QubesVolumeNotFoundError(String message) {
        super(message);
    }
}
