package org.qubicle.qrexec.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.Frames;

/**
 * One qrexec call from inside a qube: connects to the agent socket the daemon bound into the
 * qube, sends the header, then carries frames. Used by qrexec-client-vm and the tools built on it.
 */
final class Channel implements AutoCloseable {
    /** Where the daemon's socket directory is bound inside every qube. */
    static final String SOCKET = "/run/qubicle-qrexec/agent.sock";

    private final SocketChannel ch;
    final InputStream in;
    final OutputStream out;
    private final byte[] buf = new byte[Frames.MAX];
    /** A file frame's header and body buffers, made at the first file and reused for the rest. */
    private ByteBuffer[] frame;

    private Channel(SocketChannel ch) {
        this.ch = ch;
        this.in = new BufferedInputStream(Channels.newInputStream(ch), Frames.MAX + 5);
        this.out = new BufferedOutputStream(Channels.newOutputStream(ch), Frames.MAX + 5);
    }

    /** The socket path: {@code $QREXEC_AGENT_SOCKET} (tests) or {@link #SOCKET}. */
    static Path socketPath() {
        String env = System.getenv("QREXEC_AGENT_SOCKET");
        return Path.of(env == null || env.isEmpty() ? SOCKET : env);
    }

    static Channel open(String target, String serviceAndArg) throws IOException {
        return open(socketPath(), target, serviceAndArg);
    }

    static Channel open(Path socket, String target, String serviceAndArg) throws IOException {
        // As qrexec-client-vm: '$' is the old spelling of '@'; the field holds 63 bytes.
        String t = target.replace('$', '@');
        if (t.length() > CallHeader.MAX_TARGET) {
            t = t.substring(0, CallHeader.MAX_TARGET);
        }
        CallHeader h = new CallHeader(t, serviceAndArg);
        SocketChannel ch = UrandomProvider.whileOpening(() -> SocketChannel.open(StandardProtocolFamily.UNIX));
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to the qrexec agent socket " + socket + ": " + e.getMessage());
        }
        Channel c = new Channel(ch);
        c.out.write(h.encode());
        c.out.flush();
        return c;
    }

    Frames.Frame read() throws IOException {
        return Frames.read(in, buf);
    }

    /** Sends {@code from} as STDIN frames, then the end-of-input frame. */
    void sendAll(InputStream from) throws IOException {
        byte[] b = new byte[Frames.MAX];
        for (int n = from.read(b); n >= 0; n = from.read(b)) {
            if (n > 0) {
                synchronized (out) {
                    Frames.write(out, Frames.STDIN, b, 0, n);
                }
            }
        }
        endInput();
    }

    void send(byte[] b, int off, int len) throws IOException {
        synchronized (out) {
            Frames.write(out, Frames.STDIN, b, off, len);
        }
    }

    /**
     * Sends the next {@code count} bytes of {@code file} as STDIN frames. Each frame is read into
     * a native buffer and written with its header in one gathering write, never through the
     * Java heap. Whatever {@link #out} holds goes first.
     */
    void sendFile(FileChannel file, long count, LongConsumer sent) throws IOException {
        if (frame == null) {
            frame = new ByteBuffer[] {ByteBuffer.allocateDirect(5), ByteBuffer.allocateDirect(Frames.MAX)};
        }
        ByteBuffer head = frame[0];
        ByteBuffer body = frame[1];
        for (long left = count; left > 0; ) {
            body.clear().limit((int) Math.min(Frames.MAX, left));
            while (body.hasRemaining()) {
                if (file.read(body) < 0) {
                    throw new IOException("the file shrank while being sent");
                }
            }
            int n = body.flip().remaining();
            head.clear().put((byte) Frames.STDIN).putInt(n).flip();
            synchronized (out) {
                out.flush();
                while (body.hasRemaining()) {
                    ch.write(frame);
                }
            }
            left -= n;
            sent.accept(n);
        }
    }

    void endInput() throws IOException {
        synchronized (out) {
            Frames.write(out, Frames.STDIN, b0, 0, 0);
        }
    }

    private static final byte[] b0 = new byte[0];

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
