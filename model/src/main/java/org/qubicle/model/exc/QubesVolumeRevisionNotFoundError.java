package org.qubicle.model.exc;

/** An unknown volume revision. */
public class QubesVolumeRevisionNotFoundError extends QubesException {
    public QubesVolumeRevisionNotFoundError(String message) {
        super(message);
    }
}
