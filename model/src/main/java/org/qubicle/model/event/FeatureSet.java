package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-feature-set:NAME} event. */
public record FeatureSet(String subject, String feature, String value, String oldValue) implements Event {
    @Override
    public String wireName() {
        return "domain-feature-set:" + feature;
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
