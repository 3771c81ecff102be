package org.qubicle.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.AdminApi;
import org.qubicle.api.EventSink;
import org.qubicle.api.Outcome;
import org.qubicle.api.handlers.VolumePayloads;
import org.qubicle.api.wire.FramingException;
import org.qubicle.api.wire.Request;
import org.qubicle.api.wire.RequestDecoder;
import org.qubicle.api.wire.ResponseEncoder;

/**
 * The Admin API socket: one request per connection. A short read of the model whose request
 * is already complete when it is accepted is answered on the accepting thread
 * ({@link QuickCalls}); every other connection gets a virtual thread, which reads the request
 * to EOF, gets its answer from {@link AdminApi}, writes it, half-closes and closes. A framing
 * error or an unexpected failure closes without a byte.
 */
final class SocketServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SocketServer.class.getName());

    private final Path path;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final QuickCalls quick;
    private volatile boolean closed;

    private SocketServer(Path path, ServerSocketChannel server) throws IOException {
        this.path = path;
        this.server = server;
        this.quick = new QuickCalls();
    }

    /**
     * Binds {@code path} with mode 0660 and group {@code qubes} where that group exists. A stale
     * socket file is removed; a live one (something accepts on it) makes this fail.
     */
    static SocketServer bind(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (isLive(path)) {
                throw new IllegalStateException("something still accepts on " + path);
            }
            Files.delete(path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // Java cannot set a umask, so for the moment between bind and chmod the socket has the
        // process umask's mode (0755 under the usual 022): connecting needs write permission,
        // so only the owner can connect in that window.
        server.bind(UnixDomainSocketAddress.of(path), 512);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        setQubesGroup(path);
        return new SocketServer(path, server);
    }

    private static boolean isLive(Path path) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void setQubesGroup(Path path) {
        try {
            GroupPrincipal group = FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName("qubes");
            Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(group);
        } catch (IOException | UnsupportedOperationException e) {
            // No group "qubes" on this host (or we may not chown): owner-only access remains.
        }
    }

    /** Accepts connections until {@link #close()}. */
    void serve(AdminApi api) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "accept failed", e);
                continue;
            }
            open.add(ch);
            QuickCalls.Result result;
            try {
                result = quick.serve(api, ch);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "connection failed", e);
                }
                open.remove(ch);
                closeQuietly(ch);
                continue;
            }
            if (result instanceof QuickCalls.Result.Answered) {
                open.remove(ch);
                continue;
            }
            Thread.ofVirtual().name("qubesd-conn").start(() -> {
                threads.add(Thread.currentThread());
                try {
                    switch (result) {
                        case QuickCalls.Result.Handoff h -> handle(api, ch, h.prefix());
                        case QuickCalls.Result.Unwritten u -> {
                            try {
                                while (u.rest().hasRemaining()) {
                                    ch.write(u.rest());
                                }
                                ch.shutdownOutput();
                            } catch (IOException e) {
                                // the client went away before reading its answer
                            }
                        }
                        case QuickCalls.Result.Answered a -> { }
                    }
                } finally {
                    threads.remove(Thread.currentThread());
                    open.remove(ch);
                    closeQuietly(ch);
                }
            });
        }
    }

    /** Serves a connection whose first {@code prefix} bytes {@link QuickCalls} has read already. */
    private static void handle(AdminApi api, SocketChannel ch, byte[] prefix) {
        Request request;
        InputStream rest = null;
        try {
            InputStream in = Channels.newInputStream(ch);
            if (prefix.length > 0) {
                // A SequenceInputStream closes each stream it has read to its end, and closing
                // the channel's stream would close the connection before the answer.
                in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(prefix), unclosable(in));
            }
            byte[] untrusted = in.readNBytes(RequestDecoder.MAX_REQUEST_BYTES + 1);
            if (untrusted.length > RequestDecoder.MAX_REQUEST_BYTES
                    && VolumePayloads.STREAMED.contains(VolumePayloads.methodOf(untrusted))) {
                // A volume import: the image streams on past the cap (VolumePayloads).
                int cap = RequestDecoder.MAX_REQUEST_BYTES;
                // Closing it must not close the connection: the answer still has to go out.
                rest = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(untrusted, cap, 1), unclosable(in));
                untrusted = java.util.Arrays.copyOf(untrusted, cap);
            }
            request = RequestDecoder.decode(untrusted);
        } catch (FramingException e) {
            LOG.fine(() -> "refused request: " + e.getMessage());
            return;
        } catch (IOException e) {
            return;
        }
        Object writeLock = new Object();
        EventSink sink = (subject, event, kwargs) -> {
            synchronized (writeLock) {
                writeFully(ch, ResponseEncoder.event(subject, event, kwargs));
            }
        };
        try {
            VolumePayloads.Answer answer = new VolumePayloads.Answer(Channels.newOutputStream(ch));
            ScopedValue.Carrier carrier = ScopedValue.where(VolumePayloads.OUT, answer);
            if (rest != null) {
                carrier = carrier.where(VolumePayloads.REST, rest);
            }
            Request req = request;
            Outcome outcome = carrier.call(() -> api.dispatch(req, sink));
            switch (outcome) {
                case Outcome.Reply reply when answer.answered() -> ch.shutdownOutput();
                case Outcome.Reply reply -> {
                    writeFully(ch, reply.frame());
                    ch.shutdownOutput();
                    if (rest != null) {
                        // A refused import: read what the client still sends, since closing
                        // with unread data resets the connection and the client would lose
                        // the answer.
                        rest.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
                case Outcome.Abort abort -> LOG.fine(() -> "aborted " + request.method() + ": " + abort.why());
                case Outcome.Streamed streamed -> { }
            }
        } catch (AsynchronousCloseException | InterruptedException e) {
            // daemon shutting down
        } catch (IOException e) {
            // client went away before reading its answer
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "connection failed", e);
        }
    }

    private static InputStream unclosable(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
            }
        };
    }

    private static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** Stops accepting, ends open connections (streams included) and removes the socket file. */
    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        quick.close();
        for (SocketChannel ch : open) {
            closeQuietly(ch);
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        Files.deleteIfExists(path);
    }
}
