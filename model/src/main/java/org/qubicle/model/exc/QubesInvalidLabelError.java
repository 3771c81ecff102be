package org.qubicle.model.exc;

/** A label name outside {@code [A-Za-z0-9_.-]+}. A {@link ProtocolError} with its own Qubes name. */
public class QubesInvalidLabelError extends ProtocolError {
    public QubesInvalidLabelError(String message) {
        super(message);
    }
}
