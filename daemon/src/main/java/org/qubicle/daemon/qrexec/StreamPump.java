package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.qubicle.driver.QubeProcess;
import org.qubicle.qrexec.wire.DirectInput;
import org.qubicle.qrexec.wire.Frames;

/**
 * Carries one call's streams, full duplex and byte for byte: caller STDIN frames to the
 * service's stdin (a zero-length frame closes it), the service's stdout and stderr back as
 * frames (a zero-length STDOUT when its stdout ends), then the exit code. The caller's side
 * is read to the end even after its end-of-input: the caller closing the connection before
 * the exit code means it went away, and the service is killed.
 */
final class StreamPump {
    /**
     * The caller's input goes to the service on platform threads: the service's stdin channel
     * may be its FIFO, written without a relay, where a write can wait in the kernel.
     */
    private static final ExecutorService CALLER_INPUT = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("qrexec-input-", 0).factory());
    private final QubeProcess p;
    private final DirectInput in;
    private final OutputStream out;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean callerGone = new AtomicBoolean();

    StreamPump(QubeProcess p, DirectInput in, OutputStream out) {
        this.p = p;
        this.in = in;
        this.out = out;
    }

    /** Returns the exit code, or -1 when the caller went away (the service was killed). */
    int run() {
        try (p) {
            Future<?> reader = CALLER_INPUT.submit(this::fromCaller);
            Thread o = Thread.ofVirtual().start(() -> toCaller(p.stdout(), Frames.STDOUT));
            Thread e = Thread.ofVirtual().start(() -> toCaller(p.stderr(), Frames.STDERR));
            int code = p.waitFor();
            o.join();
            e.join();
            finished.set(true);
            if (callerGone.get()) {
                return -1;
            }
            try {
                synchronized (out) {
                    Frames.writeExit(out, code);
                }
            } catch (IOException x) {
                return -1;
            }
            reader.cancel(true);
            return code;
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            p.kill();
            return -1;
        }
    }

    private void fromCaller() {
        ServiceInput stdin = new ServiceInput(p.stdinChannel());
        try {
            for (Frames.Header f; (f = Frames.readHeader(in)) != null; ) {
                if (f.type() != Frames.STDIN) {
                    throw new IOException("unexpected frame from caller: " + f.type());
                }
                if (f.length() == 0) {
                    stdin.close();
                } else {
                    in.copyTo(stdin, f.length()); // from the socket to the service, no copy on the heap
                }
            }
        } catch (IOException e) {
            // garbage or a broken connection: same as the caller leaving
        }
        stdin.close();
        if (!finished.get()) {
            callerGone.set(true);
            p.kill();
        }
    }

    /**
     * The service's stdin. Once it is closed (end-of-input) or the service closed it, what the
     * caller still sends is read and dropped, so the frames stay in step.
     */
    private static final class ServiceInput implements WritableByteChannel {
        private final WritableByteChannel to;
        private boolean open = true;

        ServiceInput(WritableByteChannel to) {
            this.to = to;
        }

        @Override
        public int write(ByteBuffer b) {
            int n = b.remaining();
            if (open) {
                try {
                    return to.write(b);
                } catch (IOException e) {
                    close();
                }
            }
            b.position(b.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            try {
                to.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private void toCaller(InputStream from, int type) {
        byte[] buf = new byte[Frames.MAX];
        try (from) {
            for (int n = from.read(buf); n >= 0; n = from.read(buf)) {
                if (n == 0) {
                    continue;
                }
                synchronized (out) {
                    Frames.write(out, type, buf, 0, n);
                }
            }
            if (type == Frames.STDOUT) {
                synchronized (out) {
                    Frames.write(out, Frames.STDOUT, buf, 0, 0);
                }
            }
        } catch (IOException e) {
            // the caller is gone; fromCaller notices and kills the service
        }
    }
}
