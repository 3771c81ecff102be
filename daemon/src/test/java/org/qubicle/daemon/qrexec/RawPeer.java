package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hostile qube process for the tests, run on the host under one of a qube's uids
 * ({@code setpriv}), so that the daemon sees a peer from that qube. Modes:
 * <ul>
 *   <li>{@code send SOCKET}: sends stdin's bytes raw, then prints everything the daemon answers;</li>
 *   <li>{@code leave SOCKET}: sends stdin's bytes raw, waits a second, then exits without a word;</li>
 *   <li>{@code flood SOCKET N}: opens N connections that say nothing, prints how many got an
 *       answer (a refusal) within two seconds, then closes them all.</li>
 * </ul>
 */
public final class RawPeer {
    private RawPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        switch (args[0]) {
            case "send" -> {
                try (SocketChannel ch = connect(socket)) {
                    byte[] input = System.in.readAllBytes();
                    // The daemon may refuse and close before reading everything: write aside.
                    Thread.ofPlatform().daemon().start(() -> {
                        try {
                            ch.write(ByteBuffer.wrap(input));
                        } catch (IOException e) {
                            // refused early
                        }
                    });
                    System.out.write(Channels.newInputStream(ch).readAllBytes());
                    System.out.flush();
                } catch (IOException e) {
                    System.out.print("IOException " + e.getMessage());
                }
            }
            case "leave" -> {
                SocketChannel ch = connect(socket);
                ch.write(ByteBuffer.wrap(System.in.readAllBytes()));
                Thread.sleep(1000);
                System.exit(0);
            }
            case "flood" -> {
                int n = Integer.parseInt(args[2]);
                List<SocketChannel> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    all.add(connect(socket));
                }
                Thread.sleep(2000);
                int answered = 0;
                for (SocketChannel ch : all) {
                    ch.configureBlocking(false);
                    if (ch.read(ByteBuffer.allocate(64)) != 0) {
                        answered++;
                    }
                }
                System.out.print(answered);
                for (SocketChannel ch : all) {
                    ch.close();
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    /** Reads the frames of an answer: returns [stdout text, stderr text, exit or "refused:.."]. */
    static String[] decode(byte[] raw) throws IOException {
        StringBuilder o = new StringBuilder();
        StringBuilder e = new StringBuilder();
        String end = "none";
        InputStream in = new java.io.ByteArrayInputStream(raw);
        byte[] buf = new byte[org.qubicle.qrexec.wire.Frames.MAX];
        while (true) {
            org.qubicle.qrexec.wire.Frames.Frame f;
            try {
                f = org.qubicle.qrexec.wire.Frames.read(in, buf);
            } catch (IOException x) {
                end = end + " (then " + x.getMessage() + ")";
                break;
            }
            if (f == null) {
                break;
            }
            switch (f.type()) {
                case 1 -> o.append(f.text());
                case 2 -> e.append(f.text());
                case 3 -> end = "exit " + f.exitCode();
                case 4 -> end = "error: " + f.text();
                case 5 -> end = "refused: " + f.text();
                default -> end = "type " + f.type();
            }
        }
        return new String[] {o.toString(), e.toString(), end};
    }
}
