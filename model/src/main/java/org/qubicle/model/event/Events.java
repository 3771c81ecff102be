package org.qubicle.model.event;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The event bus of one system. Handlers are keyed by event class and run in the order
 * they were registered, then the stream subscribers (which see every event and cannot
 * veto). Events are fired while the system's lock is held, so handlers must not block.
 */
public final class Events {
    private final Map<Class<? extends Event>, List<Consumer<? super Event>>> handlers = new ConcurrentHashMap<>();
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean enabled = true;

    /** Registers a handler for one event class. A handler of a pre-event may throw to veto. */
    @SuppressWarnings("unchecked")
    public <E extends Event> void on(Class<E> type, Consumer<? super E> handler) {
        handlers.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>())
                .add(e -> ((Consumer<Event>) handler).accept(e));
    }

    /** Subscribes to every event, e.g. for an {@code admin.Events} connection. */
    public AutoCloseable subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Turns events off while qubes.xml loads, as qubesd does. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void fire(Event event) {
        if (!enabled) {
            return;
        }
        List<Consumer<? super Event>> list = handlers.get(event.getClass());
        if (list != null) {
            for (Consumer<? super Event> h : list) {
                h.accept(event);
            }
        }
        for (Consumer<Event> s : subscribers) {
            s.accept(event);
        }
    }
}
