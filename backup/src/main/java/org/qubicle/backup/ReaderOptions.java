package org.qubicle.backup;

import org.qubicle.model.exc.QubesValueError;

/**
 * Settings of {@link BackupReader}.
 *
 * @param threads chunks decrypted at once (cores by default)
 * @param maxKdfMemory memory all running scrypt KDFs may use together; a container that
 *     needs more than this alone is refused with a message naming the need
 * @param ignoreSizeLimit skip the check of decompressed sizes against {@code backup-size}
 *     (Qubes' {@code --ignore-size-limit}); only for a backup you trust
 */
public record ReaderOptions(int threads, long maxKdfMemory, boolean ignoreSizeLimit) {
    public ReaderOptions {
        if (threads < 1 || threads > 256 || maxKdfMemory < (16 << 20)) {
            throw new QubesValueError("invalid reader options");
        }
    }

    /**
     * Cores, and KDF memory of half the heap minus room for the chunks in flight, so that
     * logN 21 (2 GiB) containers are read when the JVM has about 5 GiB of heap.
     */
    public static ReaderOptions defaults() {
        int threads = Runtime.getRuntime().availableProcessors();
        long heap = Runtime.getRuntime().maxMemory();
        long chunks = (long) (threads + 4) * (BackupOptions.CHUNK_SIZE + 4096);
        return new ReaderOptions(threads, Math.max(16L << 20, Math.max(heap / 2, heap - chunks) - (64 << 20)), false);
    }

    public ReaderOptions withIgnoreSizeLimit(boolean v) {
        return new ReaderOptions(threads, maxKdfMemory, v);
    }

    public ReaderOptions withThreads(int t) {
        return new ReaderOptions(t, maxKdfMemory, ignoreSizeLimit);
    }
}
