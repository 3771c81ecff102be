package org.qubicle.api.client;

/**
 * The daemon closed the connection without an answer. Real qubesd does this for errors
 * it does not map to a Qubes exception (a KeyError or ValueError on the server), so the
 * client cannot tell more; qubesadmin says the same.
 */
public class QubesDaemonAccessError extends QubesDaemonCommunicationError {
    /** The text qubesadmin shows for an empty response. */
    public static final String EMPTY_RESPONSE =
            "Got empty response from qubesd. See journalctl in dom0 for details.";

    public QubesDaemonAccessError(String message) {
        super(message);
    }
}
