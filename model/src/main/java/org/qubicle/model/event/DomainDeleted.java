package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-delete} event. */
public record DomainDeleted(String subject, String vm) implements Event {
    @Override
    public String wireName() {
        return "domain-delete";
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("vm", vm);
        return kw;
    }
}
