package org.qubicle.api.wire;

/**
 * A request that cannot be framed. qubesd answers such a request with nothing at all: the
 * connection is aborted. The two kinds are kept apart (STYLE §8) so that logs and tests can
 * tell a client that sent garbage from one that sent too much.
 */
public sealed abstract class FramingException extends Exception
        permits FramingException.Corrupt, FramingException.TooLong {

    private FramingException(String message) {
        super(message, null, false, false);
    }

    /** The bytes do not form a request header (no NUL, wrong field count, non-ASCII...). */
    public static final class Corrupt extends FramingException {
        public Corrupt(String message) {
            super(message);
        }
    }

    /** The request is longer than {@link RequestDecoder#MAX_REQUEST_BYTES}. */
    public static final class TooLong extends FramingException {
        public TooLong(String message) {
            super(message);
        }
    }
}
