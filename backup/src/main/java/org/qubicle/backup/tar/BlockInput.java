package org.qubicle.backup.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.qubicle.backup.BackupCorruptedError;

/** Reads exact byte counts from a stream, turning a short read into a clear error. */
final class BlockInput {
    private final InputStream in;
    private final String what;
    private long position;

    BlockInput(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** Reads exactly len bytes, or returns false at a clean EOF before the first byte. */
    boolean readBlockOrEof(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        position += n;
        if (n == 0) {
            return false;
        }
        if (n < len) {
            throw new BackupCorruptedError(what + ": unexpected end of archive");
        }
        return true;
    }

    void readFully(byte[] b, int off, int len) throws IOException {
        if (!readBlockOrEof(b, off, len) && len > 0) {
            throw new BackupCorruptedError(what + ": unexpected end of archive");
        }
    }

    void skip(long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new BackupCorruptedError(what + ": unexpected end of archive");
        }
        position += n;
    }

    InputStream stream() {
        return in;
    }

    long position() {
        return position;
    }

    String what() {
        return what;
    }
}
