package org.qubicle.api;

import java.io.IOException;

/** The code behind one {@link ApiMethod}. */
public sealed interface Handler permits Handler.Plain, Handler.Streaming {

    /** Answers with one value (possibly empty) or throws a Qubes exception. Runs under the system lock. */
    @FunctionalInterface
    non-sealed interface Plain extends Handler {
        String handle(Call call);
    }

    /**
     * Streams event frames until the client goes away ({@link IOException} from the sink) or the
     * thread is interrupted. Runs without the system lock, which it takes only to subscribe.
     */
    @FunctionalInterface
    non-sealed interface Streaming extends Handler {
        void stream(Call call, EventSink sink) throws IOException, InterruptedException;
    }
}
