package org.qubicle.backup.crypto;

import org.qubicle.model.exc.QubesValueError;

/**
 * The cost parameters of the scrypt KDF as stored in a container header.
 *
 * @param logN log2 of the CPU/memory cost N (1..63 in the format; we accept 1..30)
 * @param r block size
 * @param p parallelisation
 */
public record ScryptParams(int logN, int r, int p) {
    /**
     * What our writer uses by default: logN 18, r 8, p 1 (256 MiB, well under a second).
     * The {@code scrypt} CLI that Qubes runs picks its own parameters per machine (5 s,
     * 1/8 of RAM, usually logN 18..21); every reader copes with any of them.
     */
    public static final ScryptParams DEFAULT = new ScryptParams(18, 8, 1);

    /** Fast parameters for tests: 16 MiB per key. */
    public static final ScryptParams FAST = new ScryptParams(14, 8, 1);

    public ScryptParams {
        if (logN < 1 || logN > 30) {
            throw new QubesValueError("scrypt logN out of range: " + logN);
        }
        if (r < 1 || p < 1 || (long) r * p >= (1L << 30)) {
            throw new QubesValueError("scrypt r/p out of range: r=" + r + " p=" + p);
        }
    }

    /** Bytes of memory the KDF needs: 128 * r * N (plus 128 * r * p, negligible). */
    public long memoryBytes() {
        return 128L * r * (1L << logN) + 128L * r * p;
    }
}
