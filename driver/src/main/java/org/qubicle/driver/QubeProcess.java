package org.qubicle.driver;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/**
 * A process running inside a qube, as {@link IsolationDriver#exec} returns it. The
 * streams carry raw bytes, unbuffered and unlimited in size; close {@link #stdin()} to
 * send end-of-file. Read stdout and stderr concurrently (or one of them will fill up).
 */
public interface QubeProcess extends AutoCloseable {
    OutputStream stdin();

    /**
     * The same stdin as a channel, for bulk writes from native buffers; closing it sends
     * end-of-file. Use one of the two, not both. A write may wait in the kernel (on a FIFO, where
     * a virtual thread would pin its carrier), so call it from a platform thread. By default
     * {@link #stdin()} itself, flushed after each write.
     */
    default WritableByteChannel stdinChannel() {
        return new StreamChannel(stdin());
    }

    InputStream stdout();

    InputStream stderr();

    /** Waits for the exit and returns the exit code (128+signal when killed). */
    int waitFor() throws InterruptedException;

    /** Waits at most {@code timeout}; true when it exited. */
    boolean waitFor(Duration timeout) throws InterruptedException;

    boolean isAlive();

    /** Kills the process (and what it started inside the qube through it) at once. */
    void kill();

    /** Kills the process if still alive and closes its streams. */
    @Override
    void close();
}
