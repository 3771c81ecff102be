package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code property-pre-reset:NAME} event. */
public record PropertyPreReset(String subject, String name, String oldValue) implements PreEvent {
    @Override
    public String wireName() {
        return "property-pre-reset:" + name;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("name", name);
        if (oldValue != null) {
            kw.put("oldvalue", oldValue);
        }
        return kw;
    }
}
