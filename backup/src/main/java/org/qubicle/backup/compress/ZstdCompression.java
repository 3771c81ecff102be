package org.qubicle.backup.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** zstd through com.github.luben:zstd-jni; each block is one frame (frames concatenate). */
record ZstdCompression(int level) implements Compression {
    @Override
    public String filterName() {
        return "zstd";
    }

    @Override
    public boolean compressed() {
        return true;
    }

    @Override
    public byte[] compressBlock(byte[] b, int off, int len) {
        byte[] src = (off == 0 && len == b.length) ? b : Arrays.copyOfRange(b, off, off + len);
        return Zstd.compress(src, level);
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        return new ZstdInputStream(in);
    }
}
