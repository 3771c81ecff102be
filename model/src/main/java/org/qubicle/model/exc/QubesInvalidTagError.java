package org.qubicle.model.exc;

/** A tag name outside {@code [A-Za-z0-9_-]+}. A {@link ProtocolError} with its own Qubes name. */
public class QubesInvalidTagError extends ProtocolError {
    public QubesInvalidTagError(String message) {
        super(message);
    }
}
