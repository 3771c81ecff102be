package org.qubicle.api.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fake daemon for unit tests: accepts connections on a socket, records each request
 * (read to EOF) and answers with the next recorded response bytes.
 */
final class ReplayServer implements AutoCloseable {
    final Path socket;
    final List<byte[]> requests = new ArrayList<>();
    private final BlockingQueue<byte[]> responses = new ArrayBlockingQueue<>(64);
    private final ServerSocketChannel server;
    private final Thread thread;

    ReplayServer(Path dir) throws IOException {
        socket = dir.resolve("var/run/qubesd.sock");
        Files.createDirectories(socket.getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofVirtual().start(this::serve);
    }

    void answer(byte[] response) {
        responses.add(response);
    }

    void answer(String response) {
        answer(response.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    synchronized String request(int i) {
        return new String(requests.get(i), java.nio.charset.StandardCharsets.UTF_8);
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (ch.read(buf) >= 0) {
                    in.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                synchronized (this) {
                    requests.add(in.toByteArray());
                }
                byte[] response = responses.take();
                ch.write(ByteBuffer.wrap(response));
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.interrupt();
        thread.join();
        Files.deleteIfExists(socket);
    }
}
