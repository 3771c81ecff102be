package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-feature-pre-set:NAME} event. */
public record FeaturePreSet(String subject, String feature, String value, String oldValue) implements PreEvent {
    @Override
    public String wireName() {
        return "domain-feature-pre-set:" + feature;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("feature", feature);
        kw.put("value", value);
        if (oldValue != null) {
            kw.put("oldvalue", oldValue);
        }
        return kw;
    }
}
