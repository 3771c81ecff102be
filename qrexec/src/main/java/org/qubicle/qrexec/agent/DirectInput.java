package org.qubicle.qrexec.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A buffered stream over a channel whose buffer lives outside the Java heap, so that bulk data
 * goes from the channel to a file without a copy through a Java array. The file-copy receiver
 * reads its archive's headers through it (wrapped in a {@code DataInputStream}, which holds no
 * buffer of its own) and hands each file's contents to {@link #copyTo}.
 */
final class DirectInput extends InputStream {
    private final ReadableByteChannel in;
    private final ByteBuffer buf;

    DirectInput(ReadableByteChannel in, int size) {
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
    void copyTo(WritableByteChannel out, long count) throws IOException {
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

    @Override
    public void close() throws IOException {
        in.close();
    }
}
