package org.qubicle.api.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one Admin API request, as qubesd frames it.
 *
 * <pre>
 *  +-----------------+----+----------+----+-----------+----+--------+-----+--------------+-----+
 *  | method [+ arg]  | SP | source   | SP | dest-type | SP | dest   | NUL | payload ...  | EOF |
 *  +-----------------+----+----------+----+-----------+----+--------+-----+--------------+-----+
 *    ASCII, split at    e.g. "dom0"     "name", or      rest of     first   raw bytes, may
 *    the first '+'                      "keyword" with  the header  NUL     hold NULs, may be
 *                                       dest "adminvm"                      empty
 *   example:  admin.vm.property.Set+memory dom0 name work \0 600 EOF
 * </pre>
 *
 * <p>The request ends at the client's half-close. The whole request, header and payload, is
 * capped at {@value #MAX_REQUEST_BYTES} bytes. Anything that does not fit this shape is a
 * {@link FramingException}, to which the server answers nothing. A header without {@code +}
 * is accepted and means an empty argument, as in qubesd.
 *
 * <p>States: reading (until EOF or the cap), then splitting (first NUL), then the header
 * fields. Header bytes must be printable ASCII (0x21-0x7E) apart from the three separating
 * spaces; the last field takes the rest of the header, spaces included, as qubesd's
 * {@code split(' ', 3)} does, and is later refused as a qube name.
 */
public final class RequestDecoder {
    /** qubesd's cap on header plus payload. */
    public static final int MAX_REQUEST_BYTES = 65536;

    private RequestDecoder() {
    }

    /** Reads the stream to EOF (at most the cap plus one byte) and decodes it. */
    public static Request read(InputStream in) throws IOException, FramingException {
        byte[] untrusted = in.readNBytes(MAX_REQUEST_BYTES + 1);
        if (untrusted.length > MAX_REQUEST_BYTES) {
            throw new FramingException.TooLong("request longer than " + MAX_REQUEST_BYTES + " bytes");
        }
        return decode(untrusted);
    }

    /** Decodes a complete request. */
    public static Request decode(byte[] untrusted) throws FramingException {
        if (untrusted.length > MAX_REQUEST_BYTES) {
            throw new FramingException.TooLong("request longer than " + MAX_REQUEST_BYTES + " bytes");
        }
        int nul = indexOf(untrusted, (byte) 0);
        if (nul < 0) {
            throw new FramingException.Corrupt("no NUL after the header");
        }
        for (int i = 0; i < nul; i++) {
            byte b = untrusted[i];
            if (b != ' ' && (b < 0x21 || b > 0x7e)) {
                throw new FramingException.Corrupt("header byte " + (b & 0xff) + " is not printable ASCII");
            }
        }
        String header = new String(untrusted, 0, nul, StandardCharsets.US_ASCII);
        String[] fields = header.split(" ", 4);
        if (fields.length != 4) {
            throw new FramingException.Corrupt("header has " + fields.length + " fields, expected 4");
        }
        String methodAndArg = fields[0];
        String source = fields[1];
        String destType = fields[2];
        String dest = fields[3];
        if (destType.equals("keyword")) {
            if (!dest.equals("adminvm")) {
                throw new FramingException.Corrupt("unknown keyword destination");
            }
            dest = "dom0";
        } else if (!destType.equals("name")) {
            throw new FramingException.Corrupt("unknown destination type");
        }
        if (methodAndArg.isEmpty() || source.isEmpty() || dest.isEmpty()) {
            throw new FramingException.Corrupt("empty header field");
        }
        int plus = methodAndArg.indexOf('+');
        String method = plus < 0 ? methodAndArg : methodAndArg.substring(0, plus);
        String arg = plus < 0 ? "" : methodAndArg.substring(plus + 1);
        byte[] payload = Arrays.copyOfRange(untrusted, nul + 1, untrusted.length);
        return new Request(method, arg, source, dest, payload);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
