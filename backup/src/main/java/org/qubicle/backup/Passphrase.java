package org.qubicle.backup;

import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.model.exc.QubesValueError;

/**
 * The user's backup passphrase and the per-file key strings derived from it (spec §5):
 * {@code backup-header!PASS} for the header copy and {@code ID!PATH.NNN!PASS} for a chunk.
 * Only printable text without CR, LF or NUL is accepted, and every key string stays under
 * the 2047 bytes that the {@code scrypt} CLI can read back.
 */
public final class Passphrase {
    private final String value;

    public Passphrase(String value) {
        if (value == null || value.isEmpty()) {
            throw new QubesValueError("empty backup passphrase");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                // The CLI reads the key through a pty in canonical mode: control characters
                // would be interpreted there, so a key with them could not be typed back.
                throw new QubesValueError("backup passphrase must not contain control characters");
            }
        }
        ScryptContainer.keyBytes("backup-header!" + value);
        this.value = value;
    }

    byte[] headerKey() {
        return ScryptContainer.keyBytes("backup-header!" + value);
    }

    /** {@code chunkName} is the path inside the archive without ".enc", e.g. {@code vm3/private.img.001}. */
    byte[] chunkKey(String backupId, String chunkName) {
        return ScryptContainer.keyBytes(backupId + "!" + chunkName + "!" + value);
    }

    /** The passphrase itself, for a profile file that qubesd reads (mode 0600). */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Passphrase[***]";
    }
}
