package org.qubicle.qrexec.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The first line a caller sends on its qube's agent socket: {@code TARGET SERVICE[+ARG]\n}.
 * There is no source field: the daemon knows the caller from the socket the call came in on.
 *
 * <p>{@link #parse} checks as qrexec-daemon does (spec §9.2 and §9.6): the target is at most
 * 63 bytes and every character outside {@code [A-Za-z0-9_.-@:]} becomes {@code _}; the
 * service string is 1 to 65000 bytes, must not start with {@code +}, and every character
 * outside {@code [A-Za-z0-9_.+-]} becomes {@code _}. The service part (before the first
 * {@code +}) must be 1..255 bytes to be runnable (NAME_MAX), as the agent requires.
 *
 * @param target the sanitised intended target ({@code ""} means {@code @default})
 * @param serviceAndArg the sanitised {@code SERVICE+ARG} (or {@code SERVICE})
 */
public record CallHeader(String target, String serviceAndArg) {
    public static final int MAX_TARGET = 63;
    public static final int MAX_SERVICE_AND_ARG = 65000;
    public static final int MAX_SERVICE_NAME = 255;
    /** Longest header line: target, a space, service+arg. */
    public static final int MAX_LINE = MAX_TARGET + 1 + MAX_SERVICE_AND_ARG;

    public CallHeader {
        if (target.length() > MAX_TARGET || !target.chars().allMatch(CallHeader::targetChar)) {
            throw new IllegalArgumentException("bad target");
        }
        if (serviceAndArg.isEmpty() || serviceAndArg.length() > MAX_SERVICE_AND_ARG || serviceAndArg.startsWith("+")
                || !serviceAndArg.chars().allMatch(CallHeader::serviceChar)) {
            throw new IllegalArgumentException("bad service name");
        }
        if (service(serviceAndArg).length() > MAX_SERVICE_NAME) {
            throw new IllegalArgumentException("service name too long");
        }
    }

    /** The service name, before the first {@code +}. */
    public String service() {
        return service(serviceAndArg);
    }

    /** The argument without its {@code +}; empty when there is none. */
    public String argument() {
        int p = serviceAndArg.indexOf('+');
        return p < 0 ? "" : serviceAndArg.substring(p + 1);
    }

    /** Whether the caller wrote a {@code +} (even with an empty argument). */
    public boolean hasArgument() {
        return serviceAndArg.indexOf('+') >= 0;
    }

    private static String service(String sa) {
        int p = sa.indexOf('+');
        return p < 0 ? sa : sa.substring(0, p);
    }

    static boolean targetChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_.-@:".indexOf(c) >= 0;
    }

    static boolean serviceChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_.+-".indexOf(c) >= 0;
    }

    /** The line a client sends. */
    public byte[] encode() {
        return (target + " " + serviceAndArg + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a header line from a peer: split at the first space, each half sanitised as
     * qrexec-daemon sanitises (characters replaced, not rejected), then checked.
     *
     * @throws IllegalArgumentException when it cannot be made valid (empty or too long service,
     *     leading {@code +}, target over 63 bytes, no space)
     */
    public static CallHeader parse(byte[] untrustedLine) {
        int sp = -1;
        for (int i = 0; i < untrustedLine.length; i++) {
            if (untrustedLine[i] == ' ') {
                sp = i;
                break;
            }
        }
        if (sp < 0) {
            throw new IllegalArgumentException("malformed header");
        }
        String target = sanitise(untrustedLine, 0, sp, true);
        String sa = sanitise(untrustedLine, sp + 1, untrustedLine.length, false);
        return new CallHeader(target, sa);
    }

    private static String sanitise(byte[] b, int from, int to, boolean target) {
        StringBuilder s = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            s.append(target ? (targetChar(c) ? (char) c : '_') : (serviceChar(c) ? (char) c : '_'));
        }
        return s.toString();
    }

    /**
     * Reads the header line (up to LF, without it) from a peer, at most {@link #MAX_LINE}
     * bytes; a NUL anywhere is refused (upstream requires NUL-terminated strings without NUL).
     */
    public static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed before the header ended");
            }
            if (c == 0) {
                throw new IOException("NUL in header");
            }
            if (b.size() >= MAX_LINE) {
                throw new IOException("header too long");
            }
            b.write(c);
        }
        return b.toByteArray();
    }
}
