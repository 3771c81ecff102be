package org.qubicle.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A process's stdin stream seen as a channel ({@link QubeProcess#stdinChannel()}'s default):
 * every write is flushed, as a relay of a call's input must be (the stream may buffer).
 */
final class StreamChannel implements WritableByteChannel {
    private final OutputStream out;
    private boolean open = true;

    StreamChannel(OutputStream out) {
        this.out = out;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (src.hasArray()) {
            out.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
        } else {
            byte[] b = new byte[n];
            src.get(b);
            out.write(b);
        }
        out.flush();
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        out.close();
    }
}
