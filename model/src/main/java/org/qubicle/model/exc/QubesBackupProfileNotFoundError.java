package org.qubicle.model.exc;

/** A backup profile that does not exist. */
public class QubesBackupProfileNotFoundError extends QubesException {
    public QubesBackupProfileNotFoundError(String message) {
        super(message);
    }
}
