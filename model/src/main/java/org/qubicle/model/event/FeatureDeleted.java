package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-feature-delete:NAME} event. */
public record FeatureDeleted(String subject, String feature) implements Event {
    @Override
    public String wireName() {
        return "domain-feature-delete:" + feature;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("feature", feature);
        return kw;
    }
}
