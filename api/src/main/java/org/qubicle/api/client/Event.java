package org.qubicle.api.client;

import java.util.Map;
import java.util.Objects;

/**
 * One event of an {@code admin.Events} stream.
 *
 * @param subject the qube name, or empty for a global event
 * @param name the event name, e.g. {@code domain-start} or {@code property-set:netvm}
 * @param kwargs the event's arguments as text, in arrival order
 */
public record Event(String subject, String name, Map<String, String> kwargs) {
    public Event {
        Objects.requireNonNull(subject);
        Objects.requireNonNull(name);
        kwargs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kwargs));
    }
}
