package org.qubicle.qrexec.agent;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code qrexec-socket-service SOCKET SKIP}: a qrexec service that is a unix socket (spec §9.5),
 * bridged as qrexec-agent does: the service descriptor {@code SERVICE+ARG SOURCE TYPE TARGET\0} is written
 * first unless {@code skip-service-descriptor} (SKIP = 1), then stdin goes to the socket (end of
 * input = shutdown of our write side) and the socket's data to stdout. Exit 0 once the socket
 * side is closed; 125 when it cannot connect.
 */
final class SocketService {
    private SocketService() {
    }

    static int main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: qrexec-socket-service SOCKET SKIP");
            return 125;
        }
        String full = System.getenv("QREXEC_SERVICE_FULL_NAME");
        String source = System.getenv("QREXEC_REMOTE_DOMAIN");
        String type = System.getenv("QREXEC_REQUESTED_TARGET_TYPE");
        String target = "keyword".equals(type) ? System.getenv("QREXEC_REQUESTED_TARGET_KEYWORD")
                : System.getenv("QREXEC_REQUESTED_TARGET");
        String descriptor = args[1].equals("1") ? null : (full == null ? "" : full) + " " + (source == null ? "" : source)
                + (type == null || target == null ? "" : " " + type + " " + target);
        try {
            return bridge(Path.of(args[0]), descriptor, new FileInputStream(FileDescriptor.in),
                    new FileOutputStream(FileDescriptor.out));
        } catch (IOException e) {
            System.err.println("qrexec-socket-service: " + e.getMessage());
            return 125;
        }
    }

    /** Connects, writes {@code descriptor + "\0"} unless null, and carries data both ways. */
    static int bridge(Path socket, String descriptor, InputStream in, OutputStream out) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream toSocket = Channels.newOutputStream(ch);
            if (descriptor != null) {
                toSocket.write((descriptor + "\0").getBytes(StandardCharsets.UTF_8));
                toSocket.flush();
            }
            Thread up = Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[1 << 16];
                try {
                    for (int n = in.read(b); n >= 0; n = in.read(b)) {
                        toSocket.write(b, 0, n);
                    }
                    ch.shutdownOutput();
                } catch (IOException e) {
                    // the socket side closed first
                }
            });
            InputStream fromSocket = Channels.newInputStream(ch);
            byte[] b = new byte[1 << 16];
            for (int n = fromSocket.read(b); n >= 0; n = fromSocket.read(b)) {
                out.write(b, 0, n);
                out.flush();
            }
            return 0;
        }
    }
}
