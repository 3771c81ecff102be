package org.qubicle.model.exc;

/** The backup was cancelled. */
public class BackupCancelledError extends QubesException {
    public BackupCancelledError(String message) {
        super(message);
    }
}
