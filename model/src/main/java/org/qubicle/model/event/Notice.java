package org.qubicle.model.event;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * Any other event, named as Qubes names it: lifecycle ({@code domain-start},
 * {@code domain-shutdown}, ...), {@code firewall-changed}, {@code backup-progress}.
 */
public record Notice(String subject, String wireName, SequencedMap<String, String> kwargs) implements Event {
    public Notice {
        kwargs = new LinkedHashMap<>(kwargs);
    }

    public static Notice of(String subject, String wireName, String... keyValues) {
        SequencedMap<String, String> kw = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            kw.put(keyValues[i], keyValues[i + 1]);
        }
        return new Notice(subject, wireName, kw);
    }
}
