package org.qubicle.api.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Encodes Admin API response frames.
 *
 * <pre>
 *  success:    '0' NUL value...                                  (no terminator; ends at close)
 *  exception:  '2' NUL ExcType NUL traceback NUL message NUL     (traceback always empty)
 *  event:      '1' NUL subject NUL event NUL { key NUL value NUL }* NUL
 * </pre>
 *
 * <p>The client formats exception messages with Python's {@code %} operator unless the type
 * is {@code ProtocolError}, {@code PermissionDenied} or a builtin, so every other message gets
 * {@code %} doubled here. The message's final NUL is mandatory: without it the client fails
 * to unpack the frame. Event fields may not contain NUL (it would desynchronise the client's
 * tokenizer); a NUL inside a value is replaced by {@code _}.
 */
public final class ResponseEncoder {
    /** Exception names that the client shows verbatim, without %-formatting. */
    private static final Set<String> UNFORMATTED = Set.of("ProtocolError", "PermissionDenied");

    private ResponseEncoder() {
    }

    /** A success frame carrying {@code value} as UTF-8. */
    public static byte[] ok(String value) {
        byte[] body = value.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 2];
        out[0] = '0';
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }

    /** An exception frame for the wire name {@code type} and message. */
    public static byte[] exception(String type, String message) {
        if (!type.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("bad exception type name: " + type);
        }
        String text = UNFORMATTED.contains(type) || isBuiltinName(type) ? message : message.replace("%", "%%");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('2');
        out.write(0);
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        out.write(0); // empty traceback
        out.writeBytes(clean(text));
        out.write(0);
        return out.toByteArray();
    }

    /** An event frame. {@code subject} is empty for global events. */
    public static byte[] event(String subject, String event, Map<String, String> kwargs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('1');
        out.write(0);
        out.writeBytes(clean(subject));
        out.write(0);
        out.writeBytes(clean(event));
        out.write(0);
        for (Map.Entry<String, String> e : kwargs.entrySet()) {
            out.writeBytes(clean(e.getKey()));
            out.write(0);
            out.writeBytes(clean(e.getValue()));
            out.write(0);
        }
        out.write(0);
        return out.toByteArray();
    }

    // Builtin Python exception names the client maps to builtins (which it does not %-format).
    private static boolean isBuiltinName(String type) {
        return switch (type) {
            case "KeyError", "ValueError", "TypeError", "AttributeError", "IndexError",
                 "RuntimeError", "OSError", "NotImplementedError", "LookupError" -> true;
            default -> false;
        };
    }

    private static byte[] clean(String s) {
        return s.replace('\0', '_').getBytes(StandardCharsets.UTF_8);
    }
}
