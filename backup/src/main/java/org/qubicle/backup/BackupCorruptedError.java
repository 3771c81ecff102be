package org.qubicle.backup;

import org.qubicle.model.exc.QubesException;

/**
 * The backup is damaged, forged, truncated, hostile or not decryptable with the given
 * passphrase. Every refusal of the reader is this error with a one-line message saying
 * what was wrong and where; nothing is left behind in the staging directory.
 *
 * <p>Qubes reports these cases as a plain {@code QubesException} with messages such as
 * "Corrupted backup header (hmac verification failed). Is the password correct?"; we
 * keep those messages and give the case a class of its own so that callers can tell it
 * from an I/O error or a bad argument.
 */
public class BackupCorruptedError extends QubesException {
    public BackupCorruptedError(String message) {
        super(message);
    }

    public BackupCorruptedError(String message, Throwable cause) {
        super(message, cause);
    }
}
