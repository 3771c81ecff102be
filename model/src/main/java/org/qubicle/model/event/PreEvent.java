package org.qubicle.model.event;

import java.util.SequencedMap;

/** An event fired before a change; a handler may veto by throwing a Qubes exception. */
public sealed interface PreEvent extends Event permits PropertyPreSet, PropertyPreReset, FeaturePreSet,
        FeaturePreDelete, DomainPreDelete {
    @Override
    SequencedMap<String, String> kwargs();
}
