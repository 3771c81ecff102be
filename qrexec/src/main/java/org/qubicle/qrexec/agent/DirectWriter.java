package org.qubicle.qrexec.agent;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import org.qubicle.qrexec.wire.DirectInput;

/**
 * Writes a large received file with O_DIRECT, past the qube's page cache. Where it was measured
 * (docs/benchmarks.md, issue 4), buffered writes into a qube ran at a quarter of the rate of
 * direct ones: each page is allocated, filled and later written back. A direct write hands the
 * aligned buffer to the private volume's loop device, which itself writes the image file directly.
 * <p>
 * O_DIRECT asks for the buffer's address, the file offset and the length to be multiples of the
 * file system's block size. The body is read from the stream straight into an aligned buffer; the
 * last block is padded with zeros, and the file is then cut back to its declared size.
 */
final class DirectWriter implements AutoCloseable {
    /** Smaller files go through the page cache: a direct write waits for the device. */
    static final long MIN_SIZE = 1 << 20;
    private static final int CHUNK = 1 << 20;
    private static final int MAX_ALIGN = 64 * 1024;

    private final FileChannel ch;
    private final ByteBuffer stage;
    private final int align;

    private DirectWriter(FileChannel ch, int align) {
        this.ch = ch;
        this.align = align;
        this.stage = ByteBuffer.allocateDirect(CHUNK + align).alignedSlice(align);
    }

    /**
     * A direct channel on {@code created}, a regular file this receiver has just created; empty
     * when its file system takes no O_DIRECT (tmpfs before Linux 6.6, some FUSE ones).
     */
    static Optional<DirectWriter> open(Path created) {
        try {
            long block = Files.getFileStore(created).getBlockSize();
            int align = (int) Math.max(4096, block);
            if (Long.bitCount(block) != 1 || align > MAX_ALIGN) {
                return Optional.empty();
            }
            FileChannel ch = FileChannel.open(created, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS,
                    ExtendedOpenOption.DIRECT));
            return Optional.of(new DirectWriter(ch, align));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Writes the next {@code size} bytes of {@code src} from offset 0; EOFException if it ends first. */
    void write(DirectInput src, long size) throws IOException {
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            stage.clear().limit(n);
            src.readFully(stage);
            int padded = (n + align - 1) / align * align;
            stage.limit(padded);
            while (stage.hasRemaining()) {
                stage.put((byte) 0);
            }
            stage.flip();
            while (stage.hasRemaining()) {
                ch.write(stage);
            }
            left -= n;
        }
        if (size % align != 0) {
            ch.truncate(size);
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
