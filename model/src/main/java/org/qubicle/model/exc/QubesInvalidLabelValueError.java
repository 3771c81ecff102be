package org.qubicle.model.exc;

/** A {@link ProtocolError} with its own Qubes name. */
public class QubesInvalidLabelValueError extends ProtocolError {
    public QubesInvalidLabelValueError(String message) {
        super(message);
    }
}
