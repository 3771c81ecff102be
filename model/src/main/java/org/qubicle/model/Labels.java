package org.qubicle.model;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.qubicle.model.exc.QubesLabelNotFoundError;
import org.qubicle.model.exc.QubesValueError;

/** The labels of one system, by index. The 8 built-in ones are made with a fresh store. */
public final class Labels {
    public static final int MAX_DEFAULT_LABEL = 8;

    /** Qubes' built-in labels, indices 1 to 8. */
    public static final List<Label> BUILT_IN = List.of(
            new Label(1, "red", "0xcc0000"),
            new Label(2, "orange", "0xf57900"),
            new Label(3, "yellow", "0xedd400"),
            new Label(4, "green", "0x73d216"),
            new Label(5, "gray", "0x555555"),
            new Label(6, "blue", "0x3465a4"),
            new Label(7, "purple", "0x75507b"),
            new Label(8, "black", "0x000000"));

    private final TreeMap<Integer, Label> byIndex = new TreeMap<>();

    public static Labels builtIn() {
        Labels labels = new Labels();
        BUILT_IN.forEach(labels::add);
        return labels;
    }

    /** Adds a label as loaded from qubes.xml; the old gray colour is migrated. */
    public void add(Label label) {
        if (label.name().equals("gray") && label.color().equalsIgnoreCase("0x555753")) {
            label = new Label(label.index(), label.name(), "0x555555");
        }
        byIndex.put(label.index(), label);
    }

    public Collection<Label> all() {
        return Collections.unmodifiableCollection(byIndex.values());
    }

    /**
     * Finds a label as Qubes' {@code get_label} does: by index, by name, then by a number
     * written as a string. {@code label-N} is accepted too.
     */
    public Label get(String untrustedRef) {
        for (Label l : byIndex.values()) {
            if (l.name().equals(untrustedRef)) {
                return l;
            }
        }
        String digits = untrustedRef.startsWith("label-") ? untrustedRef.substring(6) : untrustedRef;
        if (!digits.isEmpty() && digits.length() < 9 && digits.chars().allMatch(Character::isDigit)) {
            Label l = byIndex.get(Integer.parseInt(digits));
            if (l != null) {
                return l;
            }
        }
        throw new QubesLabelNotFoundError("Label does not exist: " + untrustedRef);
    }

    public boolean exists(String name) {
        return byIndex.values().stream().anyMatch(l -> l.name().equals(name));
    }

    /** Creates a custom label with index max(8, highest)+1. */
    public Label create(String name, String color) {
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            throw new QubesValueError("Label name cannot be only digits");
        }
        int index = Math.max(MAX_DEFAULT_LABEL, byIndex.isEmpty() ? 0 : byIndex.lastKey()) + 1;
        Label label = new Label(index, name, color);
        byIndex.put(index, label);
        return label;
    }

    public void remove(Label label) {
        byIndex.remove(label.index());
    }
}
