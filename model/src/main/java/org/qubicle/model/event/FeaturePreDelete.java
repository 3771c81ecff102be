package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-feature-pre-delete:NAME} event. */
public record FeaturePreDelete(String subject, String feature) implements PreEvent {
    @Override
    public String wireName() {
        return "domain-feature-pre-delete:" + feature;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("feature", feature);
        return kw;
    }
}
