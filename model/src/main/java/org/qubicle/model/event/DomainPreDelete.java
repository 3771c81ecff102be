package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-pre-delete} event. */
public record DomainPreDelete(String subject, String vm) implements PreEvent {
    @Override
    public String wireName() {
        return "domain-pre-delete";
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("vm", vm);
        return kw;
    }
}
