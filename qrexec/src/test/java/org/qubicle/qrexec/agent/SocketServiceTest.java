package org.qubicle.qrexec.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A socket service gets the descriptor, then the data; its answer comes back. */
class SocketServiceTest {
    @TempDir
    Path tmp;

    private String serveOnce(String descriptor, byte[] input) throws Exception {
        Path sock = tmp.resolve("s" + (descriptor == null ? "0" : "1"));
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ss.bind(UnixDomainSocketAddress.of(sock));
        CompletableFuture<byte[]> seen = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SocketChannel c = ss.accept()) {
                byte[] all = Channels.newInputStream(c).readAllBytes();
                c.write(java.nio.ByteBuffer.wrap(("got " + all.length).getBytes()));
                seen.complete(all);
            } catch (Exception e) {
                seen.completeExceptionally(e);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, SocketService.bridge(sock, descriptor, new ByteArrayInputStream(input), out));
        ss.close();
        return new String(seen.get()) + "|" + out;
    }

    @Test
    void descriptorThenDataThenAnswer() throws Exception {
        assertEquals("admin.vm.List+ work\0payload|got 27", serveOnce("admin.vm.List+ work", "payload".getBytes()));
        assertEquals("payload|got 7", serveOnce(null, "payload".getBytes()), "skip-service-descriptor");
    }
}
