package org.qubicle.daemon.lifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.qubicle.daemon.storage.QubeStorage;
import org.qubicle.model.Qube;

/**
 * A qube's storage being prepared on a virtual thread of its own, while the starting thread
 * wires the network and the driver begins the sandbox. The starting thread holds the
 * system's lock and waits in {@link #await}, so the model does not change meanwhile;
 * storage takes no lock of the system's.
 */
final class StorageJob {
    private final CompletableFuture<QubeStorage.Prepared> result = new CompletableFuture<>();
    private volatile double millis;

    private StorageJob() {
    }

    /** Starts {@code storage.prepare(q, baseUid)}. */
    static StorageJob begin(QubeStorage storage, Qube q, long baseUid) {
        StorageJob job = new StorageJob();
        Thread.ofVirtual().name("storage-" + q.name()).start(() -> {
            long t0 = System.nanoTime();
            try {
                QubeStorage.Prepared p = storage.prepare(q, baseUid);
                job.millis = (System.nanoTime() - t0) / 1e6;
                job.result.complete(p);
            } catch (Throwable e) {
                job.millis = (System.nanoTime() - t0) / 1e6;
                job.result.completeExceptionally(e);
            }
        });
        return job;
    }

    /** The prepared storage; the preparation's own exception, as it was thrown, if it failed. */
    QubeStorage.Prepared await() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Waits for the preparation to end, however it ends (before the storage is released). */
    void settle() {
        try {
            result.join();
        } catch (RuntimeException e) {
            // its failure is reported by whoever awaited it; here only the end matters
        }
    }

    /** How long the preparation took (once it ended). */
    double millis() {
        return millis;
    }
}
