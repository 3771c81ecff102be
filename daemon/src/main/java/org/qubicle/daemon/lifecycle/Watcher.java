package org.qubicle.daemon.lifecycle;

import java.util.Map;
import org.qubicle.driver.RunningQube;

/**
 * Safety net behind the driver's {@code onStop} callback, which reports a qube that stops
 * by itself at once: a slow poll of every running qube, in case a callback was lost.
 * Polls without holding the system's lock.
 */
final class Watcher implements AutoCloseable {
    private static final long PERIOD_MS = 10_000;

    private final LifecycleService service;
    private volatile boolean closed;
    private Thread thread;

    Watcher(LifecycleService service) {
        this.service = service;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("qube-watcher").start(this::loop);
        }
    }

    private void loop() {
        while (!closed) {
            for (Map.Entry<String, RunningQube> e : Map.copyOf(service.running()).entrySet()) {
                boolean alive;
                try {
                    alive = service.driver().isRunning(e.getValue());
                } catch (RuntimeException ex) {
                    alive = true; // ask again next round
                }
                if (!alive) {
                    service.died(e.getKey(), e.getValue());
                }
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
