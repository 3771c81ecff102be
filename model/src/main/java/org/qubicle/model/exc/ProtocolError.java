package org.qubicle.model.exc;

/**
 * A malformed request: a missing or unexpected argument or payload, bad syntax.
 * Distinct from {@link QubesException} on the client side, and its message is sent
 * without {@code %} escaping.
 */
public class ProtocolError extends RuntimeException {
    public ProtocolError(String message) {
        super(message);
    }

    public String wireName() {
        return getClass().getSimpleName();
    }
}
