package org.qubicle.api.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one Admin API response (admin-api.md §1.3):
 * <pre>
 *   '0' NUL value-bytes...                             success
 *   '2' NUL ExcType NUL traceback NUL message NUL      exception
 * </pre>
 * An empty response means the daemon dropped the request.
 */
final class ResponseDecoder {
    private ResponseDecoder() {
    }

    /** Returns the success value, or throws the exception the frame names. */
    static byte[] decode(byte[] untrustedResponse) {
        if (untrustedResponse.length == 0) {
            throw new QubesDaemonAccessError(QubesDaemonAccessError.EMPTY_RESPONSE);
        }
        if (untrustedResponse.length < 2 || untrustedResponse[1] != 0) {
            throw new QubesDaemonCommunicationError("Invalid response format");
        }
        return switch (untrustedResponse[0]) {
            case '0' -> Arrays.copyOfRange(untrustedResponse, 2, untrustedResponse.length);
            case '2' -> throw exception(untrustedResponse);
            default -> throw new QubesDaemonCommunicationError("Invalid response format");
        };
    }

    private static RuntimeException exception(byte[] untrusted) {
        String[] parts = new String[3];
        int start = 2;
        for (int i = 0; i < 3; i++) {
            int end = indexOf(untrusted, start);
            if (end < 0) {
                throw new QubesDaemonCommunicationError("Invalid exception frame from qubesd");
            }
            parts[i] = new String(untrusted, start, end - start, StandardCharsets.UTF_8);
            start = end + 1;
        }
        String type = parts[0];
        String message = RemoteExceptions.isEscaped(type)
                ? RemoteExceptions.unescape(parts[2]) : parts[2];
        return RemoteExceptions.create(type, message);
    }

    static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
