package org.qubicle.daemon.lifecycle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Talks the exec socket's framing for tests: whole stdin in, whole output back. */
final class ExecTestClient {
    /** What a run gave back; {@code error} is set when the daemon refused. */
    record Result(int exit, byte[] stdout, byte[] stderr, String error) { }

    private ExecTestClient() {
    }

    static Result run(Path socket, String header, byte[] stdin) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = Channels.newInputStream(ch);
            out.write((header + "\n").getBytes(StandardCharsets.UTF_8));
            Thread w = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < stdin.length; off += ExecFrames.MAX) {
                        int n = Math.min(ExecFrames.MAX, stdin.length - off);
                        ExecFrames.write(out, ExecFrames.STDIN, stdin, off, n);
                    }
                    ExecFrames.write(out, ExecFrames.STDIN, new byte[0], 0, 0);
                } catch (IOException e) {
                    // the daemon ended the connection
                }
            });
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            try {
                while (true) {
                    ExecFrames.Frame f = ExecFrames.read(in);
                    if (f == null) {
                        throw new IOException("ended without exit code");
                    }
                    switch (f.type()) {
                        case ExecFrames.STDOUT -> o.writeBytes(f.data());
                        case ExecFrames.STDERR -> e.writeBytes(f.data());
                        case ExecFrames.EXIT -> {
                            int code = java.nio.ByteBuffer.wrap(f.data()).getInt();
                            // As qvm-run: the connection ends once a disposable is removed.
                            if (ExecFrames.read(in) != null) {
                                throw new IOException("a frame after the exit code");
                            }
                            return new Result(code, o.toByteArray(), e.toByteArray(), null);
                        }
                        case ExecFrames.ERROR -> {
                            return new Result(-1, o.toByteArray(), e.toByteArray(),
                                    new String(f.data(), StandardCharsets.UTF_8));
                        }
                        default -> throw new IOException("frame " + f.type());
                    }
                }
            } finally {
                w.interrupt();
            }
        }
    }
}
