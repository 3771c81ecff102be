package org.qubicle.daemon.lifecycle;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The framing of the exec socket ({@code qrexec.sock}, docs/lifecycle.md). After the header
 * line, each frame is one type byte, a 4-byte big-endian length and that many bytes.
 * Client to daemon: {@link #STDIN} (length 0 = end of input). Daemon to client:
 * {@link #STDOUT}, {@link #STDERR}, {@link #EXIT} (4-byte exit code, last frame),
 * {@link #ERROR} (a UTF-8 message, last frame).
 */
public final class ExecFrames {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int EXIT = 3;
    public static final int ERROR = 4;
    /** Largest frame body. */
    public static final int MAX = 64 * 1024;
    /** Longest header line. */
    public static final int MAX_HEADER = 64 * 1024;

    private ExecFrames() {
    }

    /** One frame. */
    public record Frame(int type, byte[] data) { }

    /** Writes a frame; callers serialise writers of one stream. */
    public static void write(OutputStream out, int type, byte[] data, int off, int len) throws IOException {
        byte[] head = {(byte) type, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        out.write(head);
        out.write(data, off, len);
        out.flush();
    }

    public static void writeExit(OutputStream out, int code) throws IOException {
        write(out, EXIT, new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code}, 0, 4);
    }

    /** Reads a frame; null at a clean end of stream. Refuses bodies over {@link #MAX}. */
    public static Frame read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        DataInputStream d = new DataInputStream(in);
        int len;
        try {
            len = d.readInt();
        } catch (EOFException e) {
            throw new IOException("truncated frame");
        }
        if (len < 0 || len > MAX || type > ERROR) {
            throw new IOException("bad frame: type " + type + " length " + len);
        }
        byte[] data = d.readNBytes(len);
        if (data.length != len) {
            throw new IOException("truncated frame");
        }
        return new Frame(type, data);
    }

    /** Reads the header line (up to LF, without it), capped at {@link #MAX_HEADER} bytes. */
    public static String readHeader(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("no header");
            }
            if (b.size() >= MAX_HEADER) {
                throw new IOException("header too long");
            }
            b.write(c);
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
