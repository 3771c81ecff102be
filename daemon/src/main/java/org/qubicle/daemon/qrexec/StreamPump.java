package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.qubicle.driver.QubeProcess;
import org.qubicle.qrexec.wire.Frames;

/**
 * Carries one call's streams, full duplex and byte for byte: caller STDIN frames to the
 * service's stdin (a zero-length frame closes it), the service's stdout and stderr back as
 * frames (a zero-length STDOUT when its stdout ends), then the exit code. The caller's side
 * is read to the end even after its end-of-input: the caller closing the connection before
 * the exit code means it went away, and the service is killed.
 */
final class StreamPump {
    private final QubeProcess p;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean callerGone = new AtomicBoolean();

    StreamPump(QubeProcess p, InputStream in, OutputStream out) {
        this.p = p;
        this.in = in;
        this.out = out;
    }

    /** Returns the exit code, or -1 when the caller went away (the service was killed). */
    int run() {
        try (p) {
            Thread reader = Thread.ofVirtual().start(this::fromCaller);
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
            reader.interrupt();
            return code;
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            p.kill();
            return -1;
        }
    }

    private void fromCaller() {
        byte[] buf = new byte[Frames.MAX];
        OutputStream stdin = p.stdin();
        boolean open = true;
        try {
            while (true) {
                Frames.Frame f = Frames.read(in, buf);
                if (f == null) {
                    break;
                }
                if (f.type() != Frames.STDIN) {
                    throw new IOException("unexpected frame from caller: " + f.type());
                }
                if (!open) {
                    continue; // input after end-of-input is dropped
                }
                if (f.length() == 0) {
                    open = false;
                    closeQuietly(stdin);
                    continue;
                }
                try {
                    stdin.write(f.data(), 0, f.length());
                    stdin.flush();
                } catch (IOException e) {
                    open = false; // the service closed its stdin; keep watching the caller
                    closeQuietly(stdin);
                }
            }
        } catch (IOException e) {
            // garbage or a broken connection: same as the caller leaving
        }
        closeQuietly(stdin);
        if (!finished.get()) {
            callerGone.set(true);
            p.kill();
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

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
