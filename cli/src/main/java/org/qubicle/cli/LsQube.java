package org.qubicle.cli;

import java.util.List;
import java.util.Map;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;

/** One qube as qvm-ls sees it: the list entry, its properties, and data fetched on demand. */
final class LsQube {
    final QubeEntry entry;
    private final Qubes qubes;
    /** The GetAll answer, or part of it; {@link LsProps#NONE} until fetched. */
    LsProps props = LsProps.NONE;
    private List<String> tags;
    private Map<String, Map<String, String>> volumes;
    private Map<String, String> state;

    LsQube(QubeEntry entry, Qubes qubes) {
        this.entry = entry;
        this.qubes = qubes;
    }

    String name() {
        return entry.name();
    }

    /** The property's text, or null when absent or empty (qvm-ls shows {@code -}). */
    String prop(String name) {
        PropertyValue v = property(name);
        return v == null || v.value().isEmpty() ? null : v.value();
    }

    /** The property, or null when the qube has none of that name. */
    PropertyValue property(String name) {
        if (!props.covers(name)) {
            // fetched in part (LsFetch) without this one: now all of this qube's
            props = new LsProps(qubes.call(name(), "admin.vm.property.GetAll", null, null));
        }
        return props.get(name);
    }

    boolean flag(String name) {
        return "True".equals(prop(name));
    }

    List<String> tags(Qubes qubes) {
        if (tags == null) {
            tags = qubes.tags(name());
        }
        return tags;
    }

    /** Volume name → Info key/values; empty for dom0. */
    Map<String, Map<String, String>> volumes(Qubes qubes) {
        if (volumes == null) {
            Map<String, Map<String, String>> map = new java.util.LinkedHashMap<>();
            for (String vol : Qubes.lines(qubes.call(name(), "admin.vm.volume.List", null, null))) {
                map.put(vol, Qubes.keyValues(qubes.call(name(), "admin.vm.volume.Info", vol, null)));
            }
            volumes = map;
        }
        return volumes;
    }

    Map<String, String> currentState(Qubes qubes) {
        if (state == null) {
            state = new java.util.HashMap<>();
            try {
                for (String kv : qubes.call(name(), "admin.vm.CurrentState", null, null).trim().split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        state.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            } catch (QubesException e) {
                // The real tool shows '-' when the state cannot be read.
            }
        }
        return state;
    }
}
