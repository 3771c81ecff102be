package org.qubicle.cli;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.qubicle.api.client.AdminClient;
import org.qubicle.model.exc.QubesException;
import org.qubicle.qrexec.agent.UrandomProvider;

/**
 * Client of the daemon's exec socket ({@code var/run/qubes/qrexec.sock}; framing in
 * docs/lifecycle.md): sends the header, streams stdin, copies stdout and stderr, returns
 * the exit code.
 */
final class ExecClient {
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int EXIT = 3;
    static final int ERROR = 4;
    static final int MAX = 64 * 1024;

    private ExecClient() {
    }

    static Path socket() {
        return AdminClient.root().resolve("var/run/qubes/qrexec.sock");
    }

    /**
     * Runs {@code command} in {@code target} as {@code user}; {@code stdin} null sends
     * end-of-input at once.
     */
    static int run(String target, String user, boolean autostart, String command, InputStream stdin,
            OutputStream stdout, OutputStream stderr) throws IOException {
        if (command.indexOf('\n') >= 0) {
            throw new QubesException("command must be one line");
        }
        // The tool's first socket: without the JDK's security providers (UrandomProvider).
        try (SocketChannel ch = UrandomProvider.whileOpening(() -> SocketChannel.open(StandardProtocolFamily.UNIX))) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = Channels.newInputStream(ch);
            out.write((target + " " + user + " " + (autostart ? "autostart" : "-") + " " + command + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread pump = Thread.ofVirtual().start(() -> pumpStdin(stdin, out));
            DataInputStream d = new DataInputStream(in);
            try {
                while (true) {
                    int type = d.read();
                    if (type < 0) {
                        throw new QubesException("exec connection ended without an exit code");
                    }
                    int len = d.readInt();
                    if (len < 0 || len > MAX) {
                        throw new IOException("bad frame length " + len);
                    }
                    byte[] data = d.readNBytes(len);
                    switch (type) {
                        case STDOUT -> {
                            stdout.write(data);
                            stdout.flush();
                        }
                        case STDERR -> {
                            stderr.write(data);
                            stderr.flush();
                        }
                        case EXIT -> {
                            int code = ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8)
                                    | (data[3] & 0xff);
                            // A disposable is removed after its exit code: the daemon closes
                            // the connection once it is gone, and qvm-run returns after that.
                            if (d.read() >= 0) {
                                throw new IOException("a frame after the exit code");
                            }
                            return code;
                        }
                        case ERROR -> throw new QubesException(new String(data, StandardCharsets.UTF_8));
                        default -> throw new IOException("bad frame type " + type);
                    }
                }
            } catch (EOFException e) {
                throw new QubesException("exec connection ended without an exit code");
            } finally {
                pump.interrupt();
            }
        }
    }

    private static void pumpStdin(InputStream stdin, OutputStream out) {
        byte[] buf = new byte[MAX];
        try {
            if (stdin != null) {
                for (int n = stdin.read(buf); n >= 0; n = stdin.read(buf)) {
                    if (n > 0) {
                        frame(out, buf, n);
                    }
                }
            }
            frame(out, buf, 0);
        } catch (IOException e) {
            // the daemon closed the connection: the program has ended
        }
    }

    private static void frame(OutputStream out, byte[] data, int len) throws IOException {
        synchronized (out) {
            out.write(new byte[] {STDIN, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
            out.write(data, 0, len);
            out.flush();
        }
    }
}
