package org.qubicle.backup.compress;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip through the JDK's zlib. Each block is one gzip member (RFC 1952 allows any number).
 * A block whose samples do not compress (random data, already compressed files) is
 * stored with deflate level 0: that keeps the format and costs a copy instead of a
 * futile search, which is where gzip spends most of its time on such data.
 */
record GzipCompression(int level) implements Compression {
    private static final int SAMPLE = 8 * 1024;

    @Override
    public String filterName() {
        return "gzip";
    }

    @Override
    public boolean compressed() {
        return true;
    }

    @Override
    public byte[] compressBlock(byte[] b, int off, int len) {
        int lvl = incompressible(b, off, len) ? Deflater.NO_COMPRESSION : level;
        var native_ = Libdeflate.get();
        if (native_.isPresent()) {
            return native_.get().compress(b, off, len, lvl);
        }
        Deflater d = new Deflater(lvl, true);
        try {
            d.setInput(b, off, len);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(len / 2 + 64);
            out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, 0, 10);
            byte[] buf = new byte[1 << 16];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            CRC32 crc = new CRC32();
            crc.update(b, off, len);
            long c = crc.getValue();
            out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
                (byte) len, (byte) (len >>> 8), (byte) (len >>> 16), (byte) (len >>> 24)}, 0, 8);
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /** Two samples (start, middle); both must fail to shrink by 3% at level 1. */
    private static boolean incompressible(byte[] b, int off, int len) {
        if (len < 4 * SAMPLE) {
            return false;
        }
        Deflater d = new Deflater(1, true);
        byte[] out = new byte[SAMPLE + 1024];
        try {
            for (int i = 0; i < 2; i++) {
                d.reset();
                d.setInput(b, off + (len / 2) * i, SAMPLE);
                d.finish();
                int n = 0;
                while (!d.finished() && n < out.length) {
                    n += d.deflate(out, n, out.length - n);
                }
                if (n < SAMPLE * 97 / 100) {
                    return false;
                }
            }
            return true;
        } finally {
            d.end();
        }
    }

    @Override
    public InputStream decompress(InputStream in) {
        return new GzipMembersInputStream(in);
    }
}
