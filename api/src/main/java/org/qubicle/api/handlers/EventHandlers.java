package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.STREAM;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.EventSink;
import org.qubicle.api.MethodTable;
import org.qubicle.api.handlers.Subscription.Frame;

/**
 * {@code admin.Events}: {@code connection-established} first, then every event of the system
 * (dest dom0) or of one qube (dest that qube), until the client closes.
 *
 * <p>Events fire under the system lock; the subscriber only queues them, and this stream's own
 * thread writes them out, so a slow client never holds up a call. A client that falls
 * {@value #QUEUE} events behind is dropped (its stream ends) rather than growing memory.
 * A client that closed is noticed at the next event written to it.
 */
final class EventHandlers {
    static final int QUEUE = 10_000;

    private EventHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.Events", NONE, Payload.NONE, ANY, STREAM, EventHandlers::stream);
    }

    private static void stream(Call call, EventSink sink) throws IOException, InterruptedException {
        BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE);
        String only = call.destIsAdminVm() ? null : call.dest().name();
        try (Subscription sub = Subscription.open(call, only, queue)) {
            sink.send("", "connection-established", Map.of());
            while (true) {
                Frame f = queue.take();
                if (f == Frame.OVERFLOW) {
                    return;
                }
                sink.send(f.subject(), f.event(), f.kwargs());
            }
        }
    }
}
