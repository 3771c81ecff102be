package org.qubicle.api.client;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an event stream (admin-api.md §1.4). Each frame is NUL-terminated tokens:
 * <pre>
 *   '1' NUL subject NUL event NUL { key NUL value NUL }* NUL
 * </pre>
 * A stream may also end with a normal exception frame ({@code '2' NUL ...}) when the
 * daemon refuses the subscription; that is thrown as the named exception.
 */
public final class EventStream implements Closeable {
    /** Longest token accepted; event arguments are short strings. */
    static final int MAX_TOKEN = 1 << 20;

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192).flip();
    private boolean eof;

    EventStream(SocketChannel channel) {
        this.channel = channel;
    }

    /** Blocks for the next event; returns null at the end of the stream. */
    public Event next() throws IOException {
        String kind = token();
        if (kind == null) {
            return null;
        }
        if (kind.equals("2")) {
            throw exception();
        }
        if (!kind.equals("1")) {
            throw new QubesDaemonCommunicationError("Non-event received on events connection: "
                    + kind);
        }
        String subject = required();
        String name = required();
        Map<String, String> kwargs = new LinkedHashMap<>();
        while (true) {
            String key = required();
            if (key.isEmpty()) {
                return new Event(subject, name, kwargs);
            }
            kwargs.put(key, required());
        }
    }

    private RuntimeException exception() throws IOException {
        String type = required();
        required(); // traceback, empty unless the daemon runs with --debug
        String message = required();
        return RemoteExceptions.create(type,
                RemoteExceptions.isEscaped(type) ? RemoteExceptions.unescape(message) : message);
    }

    private String required() throws IOException {
        String token = token();
        if (token == null) {
            throw new QubesDaemonCommunicationError("Event stream ended inside a frame");
        }
        return token;
    }

    /** The next NUL-terminated token, or null at a clean end of stream. */
    private String token() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (!buffer.hasRemaining()) {
                if (eof || !fill()) {
                    if (out.size() > 0) {
                        throw new QubesDaemonCommunicationError("Event stream ended inside a frame");
                    }
                    return null;
                }
            }
            byte b = buffer.get();
            if (b == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            if (out.size() >= MAX_TOKEN) {
                throw new QubesDaemonCommunicationError("Event token too long");
            }
            out.write(b);
        }
    }

    private boolean fill() throws IOException {
        buffer.clear();
        int n;
        do {
            n = channel.read(buffer);
        } while (n == 0);
        buffer.flip();
        if (n < 0) {
            eof = true;
            return false;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
