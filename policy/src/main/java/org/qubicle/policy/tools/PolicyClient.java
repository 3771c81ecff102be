package org.qubicle.policy.tools;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Policy Admin API client of {@code qubes-policy}: one Admin API call per connection to
 * {@code qubesd.sock}, as dom0 to dom0 ({@code policy.Get+NAME dom0 name dom0 NUL payload},
 * half-close, read to EOF). The policy module has no dependency on the api module, so this is
 * the few lines of the wire protocol it needs.
 */
final class PolicyClient {
    /** Policy files are small; a reply larger than this is not a policy file. */
    static final int MAX_REPLY = 16 << 20;

    /** A refused call: the exception type qubesd named and its message. */
    static final class Refused extends Exception {
        final String type;

        Refused(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    private final Path socket;

    PolicyClient(Path socket) {
        this.socket = socket;
    }

    /** The socket under the root from {@code qubicle.root}, {@code $QUBES_ROOT}, else {@code /}. */
    static PolicyClient local() {
        String root = System.getProperty("qubicle.root");
        if (root == null || root.isEmpty()) {
            root = System.getenv("QUBES_ROOT");
        }
        return new PolicyClient(Path.of(root == null || root.isEmpty() ? "/" : root, "var/run/qubesd.sock"));
    }

    byte[] call(String method, String arg, byte[] payload) throws IOException, Refused {
        byte[] header = (method + "+" + arg + " dom0 name dom0\0").getBytes(StandardCharsets.US_ASCII);
        byte[] reply;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            write(ch, header);
            write(ch, payload);
            ch.shutdownOutput();
            InputStream in = Channels.newInputStream(ch);
            reply = in.readNBytes(MAX_REPLY + 1);
        }
        if (reply.length > MAX_REPLY) {
            throw new IOException("reply from qubesd too long");
        }
        if (reply.length >= 2 && reply[0] == '0' && reply[1] == 0) {
            return Arrays.copyOfRange(reply, 2, reply.length);
        }
        if (reply.length >= 2 && reply[0] == '2' && reply[1] == 0) {
            String[] parts = new String(reply, 2, reply.length - 2, StandardCharsets.UTF_8).split("\0", -1);
            if (parts.length >= 3) {
                String type = parts[0];
                String message = parts[2];
                // qubesd writes % as %% except in these two (admin-api.md §1.3).
                if (!type.equals("ProtocolError") && !type.equals("PermissionDenied")) {
                    message = message.replace("%%", "%");
                }
                throw new Refused(type, message);
            }
        }
        throw new IOException(reply.length == 0 ? "Got empty response from qubesd" : "malformed reply from qubesd");
    }

    private static void write(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
