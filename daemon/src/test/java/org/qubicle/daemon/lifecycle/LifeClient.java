package org.qubicle.daemon.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A minimal Admin API client over the real socket, for the lifecycle tests. */
final class LifeClient {
    private final Path socket;

    LifeClient(Path socket) {
        this.socket = socket;
    }

    /** {@code "0:value"} for success, {@code "2:Type:message"} for an exception. */
    String call(String method, String arg, String dest) throws IOException {
        return call("dom0", method, arg, dest, "");
    }

    String call(String source, String method, String arg, String dest) throws IOException {
        return call(source, method, arg, dest, "");
    }

    String call(String source, String method, String arg, String dest, String payload) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((method + "+" + arg + " " + source + " name " + dest + "\0" + payload)
                    .getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            byte[] raw = Channels.newInputStream(ch).readAllBytes();
            if (raw.length < 2) {
                return "empty";
            }
            String body = new String(raw, 2, raw.length - 2, StandardCharsets.UTF_8);
            if (raw[0] == '0') {
                return "0:" + body;
            }
            String[] p = body.split("\0", -1);
            return "2:" + p[0] + ":" + p[2];
        }
    }

    /** Calls and expects success; returns the value. */
    String ok(String method, String arg, String dest) throws IOException {
        return ok(method, arg, dest, "");
    }

    String ok(String method, String arg, String dest, String payload) throws IOException {
        String r = call("dom0", method, arg, dest, payload);
        if (!r.startsWith("0:")) {
            throw new AssertionError(method + " " + dest + ": " + r);
        }
        return r.substring(2);
    }

    /** Subscribes to every event; each arrives as {@code subject event} in the queue. */
    Events events() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.write(ByteBuffer.wrap("admin.Events+ dom0 name dom0\0".getBytes(StandardCharsets.US_ASCII)));
        ch.shutdownOutput();
        Events ev = new Events(ch);
        Thread.ofVirtual().start(ev::pump);
        try {
            // Subscribed once the first frame arrives; events before it would be missed.
            String first = ev.queue.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            if (!" connection-established".equals(first)) {
                throw new IOException("no connection-established: " + first);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return ev;
    }

    static final class Events implements AutoCloseable {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final SocketChannel ch;
        private final InputStream in;

        Events(SocketChannel ch) {
            this.ch = ch;
            this.in = Channels.newInputStream(ch);
        }

        private String token() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b = in.read(); b != 0; b = in.read()) {
                if (b < 0) {
                    throw new IOException("end");
                }
                sb.append((char) b);
            }
            return sb.toString();
        }

        private void pump() {
            try {
                while (true) {
                    token(); // frame type
                    String subject = token();
                    String name = token();
                    while (!token().isEmpty()) {
                        token();
                    }
                    queue.add(subject + " " + name);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
