import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Admin API calls per second from a plain Java client (one connection per call, as the
 * protocol demands). Run as a single-file program:
 * {@code java ApiBench.java SOCKET METHOD ARG DEST COUNT}. Prints {@code calls/s}.
 * Not a test: it asserts nothing.
 */
public class ApiBench {
    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        byte[] request = (args[1] + "+" + args[2] + " dom0 name " + args[3] + "\0").getBytes(StandardCharsets.US_ASCII);
        int count = Integer.parseInt(args[4]);
        for (int i = 0; i < Math.min(count, 2000); i++) {
            call(socket, request); // warm-up
        }
        long t0 = System.nanoTime();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += call(socket, request);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%.0f calls/s (%d calls, %d reply bytes each)%n", count / secs, count, bytes / count);
    }

    private static int call(Path socket, byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request));
            ch.shutdownOutput();
            byte[] reply = Channels.newInputStream(ch).readAllBytes();
            if (reply.length < 2 || reply[0] != '0') {
                throw new IOException("call failed: " + new String(reply, StandardCharsets.UTF_8).replace('\0', '|'));
            }
            return reply.length;
        }
    }
}
