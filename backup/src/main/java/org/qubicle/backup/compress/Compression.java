package org.qubicle.backup.compress;

import java.io.IOException;
import java.io.InputStream;
import org.qubicle.backup.BackupCorruptedError;

/**
 * A compression filter as named by the header's {@code compression-filter}.
 *
 * <p>The writer compresses the inner tar in independent blocks (one gzip member, xz
 * stream or zstd frame each) on several cores and concatenates them. Every one of these
 * formats defines a concatenation as the concatenated data, so {@code gzip -d},
 * {@code xz -d}, {@code zstd -d} and {@code tar --use-compress-program} read the result
 * as one stream: this is how {@code pigz}-style tools and bgzip work too.
 */
public sealed interface Compression permits GzipCompression, XzCompression, ZstdCompression, NoCompression {
    /** The {@code compression-filter} value; for {@link NoCompression} still "gzip", as Qubes writes it. */
    String filterName();

    /** Whether the header says {@code compressed=True}. */
    boolean compressed();

    /** Compresses one block into a self-contained member of the format. */
    byte[] compressBlock(byte[] b, int off, int len);

    /** Decompresses a stream of concatenated members. */
    InputStream decompress(InputStream in) throws IOException;

    /**
     * gzip for our writer. With libdeflate (see {@link Libdeflate}): level 1, which on text
     * is already smaller than zlib's level 6 (ratio 0.474 against 0.476) at about 3x the
     * speed of zlib's level 4 (101 against 34 MB/s per core). With the JDK's zlib only:
     * level 4, within 2% of gzip -6's size for about 70% of its CPU. Any level reads the same.
     */
    static Compression gzip() {
        return new GzipCompression(Libdeflate.get().isPresent() ? 1 : 4);
    }

    /** gzip at a chosen deflate level, 1..9. */
    static Compression gzip(int level) {
        if (level < 1 || level > 9) {
            throw new org.qubicle.model.exc.QubesValueError("gzip level out of range: " + level);
        }
        return new GzipCompression(level);
    }

    static Compression none() {
        return new NoCompression();
    }

    /**
     * The reader's filter for a header: gzip (and pigz), xz, zstd (and zstdmt); others
     * (bzip2, lzma, a user's program) are refused with a clear message.
     */
    static Compression forHeader(boolean compressed, String filter) {
        if (!compressed) {
            return new NoCompression();
        }
        return switch (filter) {
            case "gzip", "pigz" -> new GzipCompression(6);
            case "xz" -> new XzCompression(6);
            case "zstd", "zstdmt" -> new ZstdCompression(3);
            default -> throw new BackupCorruptedError("unsupported compression filter: " + filter
                    + " (supported: gzip, pigz, xz, zstd, zstdmt)");
        };
    }

    /** The writer's filter for a user's choice of name. */
    static Compression forName(String name) {
        return switch (name) {
            case "gzip" -> gzip();
            case "xz" -> new XzCompression(6);
            case "zstd" -> new ZstdCompression(3);
            case "none" -> none();
            default -> throw new org.qubicle.model.exc.QubesValueError("unsupported compression filter: "
                    + name + " (supported: gzip, xz, zstd, none)");
        };
    }
}
