package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.Frames;

/**
 * The agent socket of an AOT training run of {@code qrexec-client-vm}: it answers every call
 * as a trivial service would (reads the call's input to its end, then exit code 0), so the
 * client's real path from {@code main} to its exit goes into its cache, and nothing else.
 */
final class TrainingAgent implements AutoCloseable {
    private final ServerSocketChannel server;

    TrainingAgent(Path socket) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("aot-training-agent").start(this::serve);
    }

    private void serve() {
        byte[] buf = new byte[Frames.MAX];
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                InputStream in = Channels.newInputStream(c);
                OutputStream out = Channels.newOutputStream(c);
                CallHeader.readLine(in);
                for (Frames.Frame f = Frames.read(in, buf); f != null && f.length() > 0; f = Frames.read(in, buf)) {
                    // the input goes nowhere, as a trivial service's
                }
                Frames.write(out, Frames.STDOUT, buf, 0, 0);
                Frames.writeExit(out, 0);
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
