package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code property-pre-set:NAME} event. */
public record PropertyPreSet(String subject, String name, String newValue, String oldValue) implements PreEvent {
    @Override
    public String wireName() {
        return "property-pre-set:" + name;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("name", name);
        kw.put("newvalue", newValue);
        if (oldValue != null) {
            kw.put("oldvalue", oldValue);
        }
        return kw;
    }
}
