package org.qubicle.api.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.io.OutputStream;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.qubicle.model.exc.QubesValueError;

/**
 * A client of the Qubes Admin API socket, as qubesadmin's {@code QubesLocal}: one call is
 * one AF_UNIX connection. It sends
 * <pre>
 *   method+arg SP dom0 SP name SP dest NUL payload...   then half-close
 * </pre>
 * reads the answer to EOF and decodes it (admin-api.md §1). A refused call throws the
 * exception class named by the daemon, from {@code org.qubicle.model.exc}.
 *
 * <pre>{@code
 * AdminClient client = AdminClient.local();
 * String vms = client.callText("dom0", "admin.vm.List", null, null);
 * }</pre>
 */
public final class AdminClient {
    /** Largest answer accepted; qvm-ls on thousands of qubes stays far below it. */
    static final int MAX_RESPONSE = 64 << 20;

    private final Path socket;

    public AdminClient(Path socket) {
        this.socket = socket;
    }

    /**
     * The client of this host's daemon: {@code <root>/var/run/qubesd.sock}, where root is
     * the system property {@code qubicle.root}, else {@code $QUBES_ROOT}, else {@code /}.
     */
    public static AdminClient local() {
        return new AdminClient(root().resolve("var/run/qubesd.sock"));
    }

    /** The Qubicle root directory this process works on. */
    public static Path root() {
        String root = System.getProperty("qubicle.root");
        if (root == null || root.isEmpty()) {
            root = System.getenv("QUBES_ROOT");
        }
        if (root == null || root.isEmpty()) {
            root = "/";
        }
        return Path.of(root);
    }

    public Path socket() {
        return socket;
    }

    /**
     * Makes one call and returns the success value.
     *
     * @param dest target qube name ({@code dom0} for global calls)
     * @param method full method name, e.g. {@code admin.vm.property.Get}
     * @param arg argument, or null for none
     * @param payload payload bytes, or null for none
     */
    public byte[] call(String dest, String method, String arg, byte[] payload) {
        byte[] header = header(dest, method, arg);
        try (SocketChannel channel = connect()) {
            write(channel, header);
            if (payload != null && payload.length > 0) {
                write(channel, payload);
            }
            channel.shutdownOutput();
            return ResponseDecoder.decode(readAll(channel));
        } catch (IOException e) {
            throw new QubesDaemonCommunicationError(
                    "Failed to connect to qubesd service: " + e.getMessage(), e);
        }
    }

    /**
     * Makes one call whose payload streams from {@code payload} after {@code head} (for
     * volume imports: the server reads it past the 64 KiB request cap). Returns the success
     * value.
     *
     * @param head bytes sent before the stream (the size line of ImportWithSize), or null
     */
    public byte[] callStreaming(String dest, String method, String arg, byte[] head, InputStream payload) {
        byte[] header = header(dest, method, arg);
        try (SocketChannel channel = connect()) {
            write(channel, header);
            if (head != null) {
                write(channel, head);
            }
            OutputStream out = Channels.newOutputStream(channel);
            try {
                payload.transferTo(out);
                channel.shutdownOutput();
            } catch (IOException e) {
                // The daemon refused before reading everything (qube running, bad size):
                // its answer, if it sent one, says why.
                byte[] answer = readAll(channel);
                if (answer.length == 0) {
                    throw e;
                }
                return ResponseDecoder.decode(answer);
            }
            return ResponseDecoder.decode(readAll(channel));
        } catch (IOException e) {
            throw new QubesDaemonCommunicationError("Failed to stream to qubesd: " + e.getMessage(), e);
        }
    }

    /**
     * Makes one call whose success value streams into {@code sink} (admin.vm.volume.Export);
     * errors are thrown as for {@link #call}. Returns the bytes written.
     */
    public long callToStream(String dest, String method, String arg, OutputStream sink) {
        byte[] header = header(dest, method, arg);
        try (SocketChannel channel = connect()) {
            write(channel, header);
            channel.shutdownOutput();
            InputStream in = Channels.newInputStream(channel);
            byte[] status = in.readNBytes(2);
            if (status.length == 2 && status[0] == '0' && status[1] == 0) {
                return in.transferTo(sink);
            }
            byte[] rest = in.readNBytes(MAX_RESPONSE);
            byte[] all = new byte[status.length + rest.length];
            System.arraycopy(status, 0, all, 0, status.length);
            System.arraycopy(rest, 0, all, status.length, rest.length);
            ResponseDecoder.decode(all);
            throw new QubesDaemonCommunicationError("Unexpected answer from qubesd");
        } catch (IOException e) {
            throw new QubesDaemonCommunicationError("Failed to stream from qubesd: " + e.getMessage(), e);
        }
    }

    /** {@link #call} with a text payload and a text answer, both UTF-8. */
    public String callText(String dest, String method, String arg, String payload) {
        byte[] body = payload == null ? null : payload.getBytes(StandardCharsets.UTF_8);
        return new String(call(dest, method, arg, body), StandardCharsets.UTF_8);
    }

    /**
     * Subscribes to {@code admin.Events} of one qube, or of everything with dest
     * {@code dom0}. The caller reads frames and closes the stream.
     */
    public EventStream events(String dest) {
        return stream(dest, "admin.Events");
    }

    /** Opens a streaming call ({@code admin.Events}, {@code admin.vm.Stats}). */
    public EventStream stream(String dest, String method) {
        byte[] header = header(dest, method, null);
        SocketChannel channel = null;
        try {
            channel = connect();
            write(channel, header);
            channel.shutdownOutput();
            return new EventStream(channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QubesDaemonCommunicationError(
                    "Failed to connect to qubesd service: " + e.getMessage(), e);
        }
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    /** The request header; its fields must not contain the separators. */
    static byte[] header(String dest, String method, String arg) {
        checkToken("destination", dest, false);
        checkToken("method", method, false);
        checkToken("argument", arg == null ? "" : arg, true);
        String text = method + "+" + (arg == null ? "" : arg) + " dom0 name " + dest + "\0";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void checkToken(String what, String value, boolean mayBeEmpty) {
        if (value == null || (!mayBeEmpty && value.isEmpty())) {
            throw new QubesValueError("Admin API " + what + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new QubesValueError("Invalid character in Admin API " + what + ": "
                        + value);
            }
        }
    }

    private static void write(SocketChannel channel, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** One read buffer per thread: a listing makes a thousand calls, each reads little. */
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(16384));

    private static byte[] readAll(SocketChannel channel) throws IOException {
        ByteBuffer buffer = BUFFER.get();
        buffer.clear();
        ByteArrayOutputStream out = null;
        while (channel.read(buffer) >= 0) {
            if (!buffer.hasRemaining()) {
                // Spill a full buffer; most answers fit in one and never get here.
                if (out == null) {
                    out = new ByteArrayOutputStream(buffer.capacity() * 2);
                }
                if (out.size() + buffer.position() > MAX_RESPONSE) {
                    throw new QubesDaemonCommunicationError("Response from qubesd too long");
                }
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        }
        if (out == null) {
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
        out.write(buffer.array(), 0, buffer.position());
        return out.toByteArray();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the first error is the one to report.
            }
        }
    }
}
