package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Qubes' {@code domain-tag-add:TAG} event. */
public record TagAdded(String subject, String tag) implements Event {
    @Override
    public String wireName() {
        return "domain-tag-add:" + tag;
    }

    @Override
    public SequencedMap<String, String> kwargs() {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        kw.put("tag", tag);
        return kw;
    }
}
