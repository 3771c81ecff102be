package org.qubicle.model.event;

import java.util.SequencedMap;

/**
 * Something that happened to a qube or to the system, as the {@code admin.Events} stream
 * shows it: a subject (the qube's name, empty for global events), Qubes' event name and
 * its keyword arguments as strings.
 *
 * <p>Handlers are keyed by record class ({@link Events#on}). Pre-events ({@link PreEvent})
 * fire before a change; a handler that throws vetoes it.
 */
public sealed interface Event permits PreEvent, PropertySet, PropertyReset, FeatureSet, FeatureDeleted,
        TagAdded, TagDeleted, DomainAdded, DomainDeleted, Notice {
    String subject();

    String wireName();

    SequencedMap<String, String> kwargs();
}
