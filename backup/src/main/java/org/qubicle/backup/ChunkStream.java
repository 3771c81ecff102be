package org.qubicle.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The decrypted chunks of one file joined into one stream, handed from the reader's
 * thread to the thread that decompresses and untars it. Only authenticated chunks are
 * ever put here. Two chunks at most wait in the queue.
 */
final class ChunkStream extends InputStream {
    private record Piece(byte[] buf, int off, int len) {}

    private static final Piece END = new Piece(new byte[0], 0, 0);

    private final BlockingQueue<Piece> queue = new ArrayBlockingQueue<>(2);
    private final ChunkBuffers buffers;
    private Piece current;
    private int pos;
    private boolean ended;

    /** @param buffers where a chunk's buffer goes once it has been read */
    ChunkStream(ChunkBuffers buffers) {
        this.buffers = buffers;
    }

    /** Adds a chunk; gives up when {@code consumerGone} says the consumer stopped. */
    void put(byte[] buf, int off, int len, BooleanSupplier consumerGone) throws IOException {
        offer(new Piece(buf, off, len), consumerGone);
    }

    void end(BooleanSupplier consumerGone) throws IOException {
        offer(END, consumerGone);
    }

    private void offer(Piece p, BooleanSupplier consumerGone) throws IOException {
        try {
            while (!queue.offer(p, 50, TimeUnit.MILLISECONDS)) {
                if (consumerGone.getAsBoolean()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!ended && (current == null || pos == current.len())) {
            if (current != null) {
                buffers.give(current.buf());
                current = null;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("restore interrupted");
            }
            pos = 0;
            if (current == END) {
                ended = true;
            }
        }
        if (ended) {
            return -1;
        }
        int n = Math.min(len, current.len() - pos);
        System.arraycopy(current.buf(), current.off() + pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
}
