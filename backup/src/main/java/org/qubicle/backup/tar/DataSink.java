package org.qubicle.backup.tar;

import java.io.IOException;

/** Receives a member's content as (offset, bytes) pieces; holes are never written. */
public interface DataSink {
    void write(long offset, byte[] b, int off, int len) throws IOException;

    /** A sink that discards everything (verify-only). */
    DataSink DISCARD = (offset, b, off, len) -> { };
}
