package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.qubicle.driver.QubeProcess;

/**
 * A socket service seen as a process (spec §9.5): stdin goes to the socket and its end shuts
 * the socket's write side; the socket's data is stdout; there is no stderr; the "process"
 * exits with 0 once the service has closed its side and that end was read, and killing it
 * closes the socket.
 */
final class SocketServiceProcess implements QubeProcess {
    private final SocketChannel ch;
    private final CountDownLatch ended = new CountDownLatch(1);

    private final OutputStream stdin = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        @Override
        public void close() throws IOException {
            if (ch.isOpen()) {
                ch.shutdownOutput();
            }
        }
    };

    private final InputStream stdout = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = ch.read(ByteBuffer.wrap(b, off, len));
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
            if (n < 0) {
                ended.countDown();
            }
            return n;
        }
    };

    SocketServiceProcess(SocketChannel ch) {
        this.ch = ch;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        ended.await();
        return 0;
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isAlive() {
        return ended.getCount() > 0;
    }

    @Override
    public void kill() {
        close();
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closed anyway
        }
        ended.countDown();
    }
}
