package org.qubicle.api;

/**
 * What the transport does with a call, once dispatched. Closed set: a switch over it in the
 * transport cannot forget a case.
 */
public sealed interface Outcome {
    /** Write these bytes, half-close, close. */
    record Reply(byte[] frame) implements Outcome {
        public Reply {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }
    }

    /** Close without a byte; the client reports an empty response. */
    record Abort(String why) implements Outcome {
    }

    /** A stream already ran to its end on the connection; just close. */
    record Streamed() implements Outcome {
    }
}
