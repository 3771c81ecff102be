package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-add} event. */
public record DomainAdded(String subject, String vm) implements Event {
    @Override
    public String wireName() {
        return "domain-add";
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("vm", vm);
        return kw;
    }
}
