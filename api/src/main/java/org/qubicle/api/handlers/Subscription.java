package org.qubicle.api.handlers;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import org.qubicle.api.Call;
import org.qubicle.model.event.Event;

/**
 * One {@code admin.Events} listener on the model's event bus. It runs in the thread that fires
 * the event (holding the system lock), so it only filters and queues. The bus keeps its
 * subscribers in a copy-on-write list, so subscribing needs no lock.
 */
final class Subscription implements AutoCloseable {
    /** One queued event frame. */
    record Frame(String subject, String event, Map<String, String> kwargs) {
        static final Frame OVERFLOW = new Frame("", "", Map.of());
    }

    private final AutoCloseable registration;

    private Subscription(AutoCloseable registration) {
        this.registration = registration;
    }

    static Subscription open(Call call, String onlySubject, BlockingQueue<Frame> queue) {
        return new Subscription(call.app().events().subscribe(e -> offer(call, e, onlySubject, queue)));
    }

    private static void offer(Call call, Event e, String onlySubject, BlockingQueue<Frame> queue) {
        String name = e.wireName();
        if (!forwarded(name)) {
            return;
        }
        if (onlySubject != null && !onlySubject.equals(e.subject())) {
            return;
        }
        if (!call.shows("admin.Events", name.replace(':', '_'), policySubject(e))) {
            return;
        }
        if (!queue.offer(new Frame(e.subject(), name, e.kwargs()))) {
            queue.clear();
            queue.offer(Frame.OVERFLOW);
        }
    }

    /**
     * The qube an event is about for the admin policy: its subject, else the {@code vm} of a
     * global event such as {@code domain-add}, else {@code @adminvm} (as upstream's filter).
     */
    private static String policySubject(Event e) {
        if (!e.subject().isEmpty()) {
            return e.subject();
        }
        String vm = e.kwargs().get("vm");
        return vm != null && !vm.isEmpty() ? vm : "@adminvm";
    }

    /** qubesd keeps these internal events off the stream; pre-events are vetoable internals. */
    static boolean forwarded(String event) {
        return !(event.startsWith("admin-permission:") || event.startsWith("device-get:")
                || event.startsWith("device-list:") || event.startsWith("device-list-attached:")
                || event.equals("domain-is-fully-usable"));
    }

    @Override
    public void close() {
        try {
            registration.close();
        } catch (Exception e) {
            // unsubscribing from a copy-on-write list cannot fail
        }
    }
}
