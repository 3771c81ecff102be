package org.qubicle.backup.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/** xz through org.tukaani:xz; each block is one .xz stream (concatenation is valid xz). */
record XzCompression(int preset) implements Compression {
    /** Decoder memory cap in KiB: refuses streams that ask for absurd dictionaries. */
    private static final int MEMORY_LIMIT_KIB = 256 * 1024;

    @Override
    public String filterName() {
        return "xz";
    }

    @Override
    public boolean compressed() {
        return true;
    }

    @Override
    public byte[] compressBlock(byte[] b, int off, int len) {
        try {
            LZMA2Options opts = new LZMA2Options(preset);
            opts.setDictSize(Math.max(LZMA2Options.DICT_SIZE_MIN, Math.min(opts.getDictSize(), len)));
            ByteArrayOutputStream out = new ByteArrayOutputStream(len / 2 + 64);
            try (XZOutputStream xz = new XZOutputStream(out, opts)) {
                xz.write(b, off, len);
            }
            return out.toByteArray();
        } catch (UnsupportedOptionsException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        return new XZInputStream(in, MEMORY_LIMIT_KIB);
    }
}
