package org.qubicle.cli;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a call for each item on a few threads. Listing a thousand qubes makes a thousand
 * one-shot connections; a handful in flight hides the round trips without flooding the
 * daemon. Plain threads: they load fewer classes than an executor at start-up.
 */
final class Parallel {
    static final int THREADS = 4;

    private Parallel() {
    }

    static <T> void forEach(List<T> items, Consumer<T> action) {
        if (items.size() < 8) {
            items.forEach(action);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        RuntimeException[] failure = new RuntimeException[1];
        Runnable worker = () -> {
            int i;
            while ((i = next.getAndIncrement()) < items.size()) {
                try {
                    action.accept(items.get(i));
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                    next.set(items.size());
                }
            }
        };
        Thread[] threads = new Thread[THREADS - 1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(worker);
            threads[t].start();
        }
        worker.run();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolExit(1, "interrupted");
            }
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }
}
