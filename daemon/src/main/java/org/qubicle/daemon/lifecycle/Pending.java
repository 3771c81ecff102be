package org.qubicle.daemon.lifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Work of a qube's start running on a virtual thread of its own while the starting thread
 * goes on (the storage's preparation, the network's links). The starting thread holds the
 * system's lock and waits in {@link #await}, so the model does not change meanwhile; the work
 * takes no lock of the system's.
 */
public final class Pending<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile double millis;

    private Pending() {
    }

    /** Starts {@code work} on a virtual thread named {@code name}. */
    public static <T> Pending<T> start(String name, Supplier<T> work) {
        Pending<T> p = new Pending<>();
        Thread.ofVirtual().name(name).start(() -> {
            long t0 = System.nanoTime();
            try {
                T value = work.get();
                p.millis = (System.nanoTime() - t0) / 1e6;
                p.result.complete(value);
            } catch (Throwable e) {
                p.millis = (System.nanoTime() - t0) / 1e6;
                p.result.completeExceptionally(e);
            }
        });
        return p;
    }

    /** Work that is already done. */
    public static <T> Pending<T> done(T value) {
        Pending<T> p = new Pending<>();
        p.result.complete(value);
        return p;
    }

    /** The work's result; its own exception, as it was thrown, if it failed. */
    public T await() {
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

    /** Waits for the work to end, however it ends (before what it made is undone). */
    public void settle() {
        try {
            result.join();
        } catch (RuntimeException e) {
            // its failure is reported by whoever awaited it; here only the end matters
        }
    }

    /** How long the work took (once it ended). */
    public double millis() {
        return millis;
    }
}
