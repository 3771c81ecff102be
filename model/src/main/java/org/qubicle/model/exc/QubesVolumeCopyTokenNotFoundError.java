package org.qubicle.model.exc;

/** A {@link ProtocolError} with its own Qubes name. */
public class QubesVolumeCopyTokenNotFoundError extends ProtocolError {
    public QubesVolumeCopyTokenNotFoundError(String message) {
        super(message);
    }
}
