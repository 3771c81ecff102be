package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code property-reset:NAME} event. */
public record PropertyReset(String subject, String name, String oldValue) implements Event {
    @Override
    public String wireName() {
        return "property-reset:" + name;
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
