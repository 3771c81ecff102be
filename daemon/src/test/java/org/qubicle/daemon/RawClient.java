package org.qubicle.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tiny Admin API client for tests: sends raw bytes, half-closes, reads to EOF and checks that
 * the answer is one well-formed frame (or nothing).
 */
final class RawClient {
    private final Path socket;

    RawClient(Path socket) {
        this.socket = socket;
    }

    /** A parsed answer. */
    sealed interface Reply {
        /** {@code 0\0value}. */
        record Ok(String value) implements Reply { }

        /** {@code 2\0Type\0\0message\0}. */
        record Error(String type, String message) implements Reply { }

        /** The connection closed without a byte. */
        record Empty() implements Reply { }
    }

    Reply call(String method, String arg, String dest, String payload) throws IOException {
        return call("dom0", method, arg, dest, payload);
    }

    Reply call(String source, String method, String arg, String dest, String payload) throws IOException {
        String header = method + "+" + arg + " " + source + " name " + dest + "\0";
        return parse(send((header + payload).getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends raw bytes and returns the raw answer. */
    byte[] send(byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer buf = ByteBuffer.wrap(request);
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                // the daemon may abort an over-long request while we still write
            }
            try {
                return Channels.newInputStream(ch).readAllBytes();
            } catch (java.net.SocketException e) {
                // The daemon aborted while our request bytes were still unread (over-long
                // request): Linux reports that as a reset. It is a refusal without an answer.
                if (String.valueOf(e.getMessage()).contains("reset")) {
                    return new byte[0];
                }
                throw e;
            }
        }
    }

    /** Opens an event stream; the caller reads frames from it and closes it. */
    EventStream events(String dest) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.write(ByteBuffer.wrap(("admin.Events+ dom0 name " + dest + "\0").getBytes(StandardCharsets.US_ASCII)));
        ch.shutdownOutput();
        return new EventStream(ch);
    }

    /** Parses a whole answer strictly; throws {@link IllegalArgumentException} if malformed. */
    static Reply parse(byte[] raw) {
        if (raw.length == 0) {
            return new Reply.Empty();
        }
        if (raw.length < 2 || raw[1] != 0) {
            throw new IllegalArgumentException("bad header " + Arrays.toString(Arrays.copyOf(raw, Math.min(raw.length, 8))));
        }
        String body = new String(raw, 2, raw.length - 2, StandardCharsets.UTF_8);
        return switch (raw[0]) {
            case '0' -> new Reply.Ok(body);
            case '2' -> {
                String[] parts = body.split("\0", -1);
                if (parts.length != 4 || !parts[3].isEmpty() || !parts[0].matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("bad exception frame: " + body.replace('\0', '|'));
                }
                yield new Reply.Error(parts[0], parts[2]);
            }
            default -> throw new IllegalArgumentException("bad frame type " + raw[0]);
        };
    }

    /** One event frame. */
    record Event(String subject, String name, List<String> kwargs) { }

    /** Reads event frames one by one. */
    static final class EventStream implements AutoCloseable {
        private final SocketChannel ch;
        private final InputStream in;

        EventStream(SocketChannel ch) {
            this.ch = ch;
            this.in = Channels.newInputStream(ch);
        }

        private String token() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("stream ended");
                }
                if (b == 0) {
                    return sb.toString();
                }
                sb.append((char) b);
            }
        }

        Event next() throws IOException {
            String kind = token();
            if (!kind.equals("1")) {
                throw new IOException("not an event frame: " + kind);
            }
            String subject = token();
            String name = token();
            List<String> kwargs = new ArrayList<>();
            while (true) {
                String key = token();
                if (key.isEmpty()) {
                    return new Event(subject, name, kwargs);
                }
                kwargs.add(key + "=" + token());
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
