package org.qubicle.backup;

import java.util.ArrayDeque;

/**
 * Reuses the reader's chunk buffers (about 100 MiB each). A fresh array is zeroed and its
 * pages faulted in by the kernel: per chunk that cost as much CPU as decrypting it. A
 * buffer comes back when the consumer has read past it; at most {@code keep} wait here,
 * so memory stays bounded by the pipeline's window as before.
 */
final class ChunkBuffers {
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final int keep;

    ChunkBuffers(int keep) {
        this.keep = keep;
    }

    /** A buffer of at least {@code size} bytes (its tail beyond {@code size} is stale data). */
    synchronized byte[] take(int size) {
        for (var it = free.iterator(); it.hasNext();) {
            byte[] b = it.next();
            if (b.length >= size) {
                it.remove();
                return b;
            }
        }
        return new byte[size];
    }

    /** Gives a buffer back for a later chunk. */
    synchronized void give(byte[] b) {
        if (free.size() < keep && b.length > 0) {
            free.push(b);
        }
    }
}
