package org.qubicle.backup.compress;

import java.io.InputStream;
import java.util.Arrays;

/** {@code compressed=False}: the inner tar is split as it is. */
record NoCompression() implements Compression {
    @Override
    public String filterName() {
        return "gzip";
    }

    @Override
    public boolean compressed() {
        return false;
    }

    @Override
    public byte[] compressBlock(byte[] b, int off, int len) {
        return Arrays.copyOfRange(b, off, off + len);
    }

    @Override
    public InputStream decompress(InputStream in) {
        return in;
    }
}
