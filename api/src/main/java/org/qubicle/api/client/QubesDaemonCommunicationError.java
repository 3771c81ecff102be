package org.qubicle.api.client;

import org.qubicle.model.exc.QubesException;

/**
 * The daemon could not be reached, or it sent bytes that are not an Admin API frame.
 * Named as qubesadmin's class of the same meaning.
 */
public class QubesDaemonCommunicationError extends QubesException {
    public QubesDaemonCommunicationError(String message) {
        super(message);
    }

    public QubesDaemonCommunicationError(String message, Throwable cause) {
        super(message, cause);
    }
}
