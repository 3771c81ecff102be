package org.qubicle.model.exc;

/**
 * A user-facing error. Its simple class name is the name Qubes sends on the wire
 * (the {@code <ExcType>} field of an Admin API exception frame), so a client that
 * dispatches on Qubes' names handles ours unchanged.
 *
 * <p>Messages are plain text. The codec escapes {@code %} for the wire.
 */
public class QubesException extends RuntimeException {
    public QubesException(String message) {
        super(message);
    }

    public QubesException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exception class name that goes on the wire. */
    public String wireName() {
        return getClass().getSimpleName();
    }
}
