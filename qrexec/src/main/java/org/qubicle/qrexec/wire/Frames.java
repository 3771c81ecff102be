package org.qubicle.qrexec.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The frames of a qrexec call on the agent socket (docs/qrexec.md). After the header line,
 * each frame is one type byte, a 4-byte big-endian length and that many bytes (at most
 * {@link #MAX}). The same layout as the daemon's exec socket, so dom0 tools share it.
 *
 * <p>Client to daemon: {@link #STDIN}; a zero-length one is end of input. Daemon to client:
 * {@link #STDOUT} (zero-length: the service closed its stdout), {@link #STDERR},
 * {@link #EXIT} (4-byte exit code; last frame), {@link #ERROR} (UTF-8 message, the call
 * failed after it was allowed; last frame) and {@link #REFUSED} (UTF-8 reason; the policy
 * or the request check refused the call; last frame).
 */
public final class Frames {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int EXIT = 3;
    public static final int ERROR = 4;
    public static final int REFUSED = 5;
    /** Largest frame body. */
    public static final int MAX = 64 * 1024;

    private Frames() {
    }

    /** One frame as read. */
    public record Frame(int type, byte[] data, int length) {
        public String text() {
            return new String(data, 0, length, StandardCharsets.UTF_8);
        }

        public int exitCode() {
            return ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        }
    }

    /** Writes and flushes one frame; callers serialise the writers of one stream. */
    public static void write(OutputStream out, int type, byte[] data, int off, int len) throws IOException {
        if (len > MAX) {
            throw new IllegalArgumentException("frame too long");
        }
        byte[] head = {(byte) type, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        out.write(head);
        if (len > 0) {
            out.write(data, off, len);
        }
        out.flush();
    }

    public static void writeExit(OutputStream out, int code) throws IOException {
        write(out, EXIT, new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code}, 0, 4);
    }

    public static void writeText(OutputStream out, int type, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        write(out, type, m, 0, Math.min(m.length, MAX));
    }

    /** A frame's type and body length, as read before its body. */
    public record Header(int type, int length) {
    }

    /**
     * Reads one frame's header; null at a clean end of stream. Refuses unknown types, bodies
     * over {@link #MAX} and an EXIT that is not 4 bytes. The body follows in {@code in}.
     */
    public static Header readHeader(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        byte[] b = new byte[4];
        if (in.readNBytes(b, 0, 4) < 4) {
            throw new IOException("truncated frame");
        }
        int len = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        if (len < 0 || len > MAX || type > REFUSED || (type == EXIT && len != 4)) {
            throw new IOException("bad frame: type " + type + " length " + len);
        }
        return new Header(type, len);
    }

    /** Reads one frame into {@code buf} (at least {@link #MAX} long, reused); null at a clean end of stream. */
    public static Frame read(InputStream in, byte[] buf) throws IOException {
        Header h = readHeader(in);
        if (h == null) {
            return null;
        }
        if (in.readNBytes(buf, 0, h.length()) < h.length()) {
            throw new IOException("truncated frame");
        }
        return new Frame(h.type(), buf, h.length());
    }
}
