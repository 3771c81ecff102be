package org.qubicle.qrexec.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A buffered stream over a channel whose buffer lives outside the Java heap, so that bulk data
 * goes from one channel to another without a copy through a Java array. Headers are read
 * through it as a stream (wrapped in a {@code DataInputStream}, which holds no buffer of its
 * own), and bulk data with {@link #copyTo} or {@link #readFully(ByteBuffer)}: the daemon reads
 * a call's frames this way, and the file-copy receiver its archive.
 */
public final class DirectInput extends InputStream {
    private final ReadableByteChannel in;
    private final ByteBuffer buf;

    public DirectInput(ReadableByteChannel in, int size) {
        this.in = in;
        this.buf = ByteBuffer.allocateDirect(size).flip();
    }

    /** False at the end of the channel. */
    private boolean fill() throws IOException {
        if (buf.hasRemaining()) {
            return true;
        }
        buf.clear();
        int n;
        do {
            n = in.read(buf);
        } while (n == 0);
        buf.flip();
        return n > 0;
    }

    @Override
    public int read() throws IOException {
        return fill() ? buf.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
    }

    /** Writes the next {@code count} bytes to {@code out}; EOFException if the channel ends first. */
    public void copyTo(WritableByteChannel out, long count) throws IOException {
        while (count > 0) {
            if (!fill()) {
                throw new EOFException();
            }
            int n = (int) Math.min(buf.remaining(), count);
            ByteBuffer part = buf.slice(buf.position(), n);
            while (part.hasRemaining()) {
                out.write(part);
            }
            buf.position(buf.position() + n);
            count -= n;
        }
    }

    /**
     * Fills {@code dst} to its limit: with the bytes already buffered, then straight from the
     * channel, so that a caller's own (aligned) buffer takes the data without a further copy.
     * EOFException if the channel ends first.
     */
    public void readFully(ByteBuffer dst) throws IOException {
        if (buf.hasRemaining() && dst.hasRemaining()) {
            int n = Math.min(buf.remaining(), dst.remaining());
            dst.put(buf.slice(buf.position(), n));
            buf.position(buf.position() + n);
        }
        while (dst.hasRemaining()) {
            if (in.read(dst) < 0) {
                throw new EOFException();
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
