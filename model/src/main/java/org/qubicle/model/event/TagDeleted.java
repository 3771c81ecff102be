package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-tag-delete:TAG} event. */
public record TagDeleted(String subject, String tag) implements Event {
    @Override
    public String wireName() {
        return "domain-tag-delete:" + tag;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("tag", tag);
        return kw;
    }
}
