package org.qubicle.model.exc;

/** A backup with that profile is already running. */
public class BackupAlreadyRunningError extends QubesException {
    public BackupAlreadyRunningError(String message) {
        super(message);
    }
}
