package org.qubicle.driver;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/** Connecting to a unix socket a qube controls, for {@link IsolationDriver#connectUnix}. */
public final class SocketConnect {
    private SocketConnect() {
    }

    /**
     * Connects without waiting and returns a blocking channel: a listener whose backlog is
     * full (a qube that never accepts) fails at once instead of holding the caller's thread.
     *
     * @param what names the socket in the error
     */
    public static SocketChannel now(UnixDomainSocketAddress address, String what) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            boolean connected;
            try {
                connected = ch.connect(address) || ch.finishConnect();
            } catch (SocketException e) {
                // EAGAIN (backlog full), ECONNREFUSED (nobody listens)
                throw new IOException(what + ": the service accepts no connection (" + e.getMessage() + ")", e);
            }
            if (!connected) {
                throw new IOException(what + ": the service accepts no connection");
            }
            ch.configureBlocking(true);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
