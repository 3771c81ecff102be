package org.qubicle.model.property;

/**
 * What a property read returns: its type, whether it is the default (not set), and its
 * text in Qubes' canonical form (qube and label names, {@code True}/{@code False}, decimal
 * ints). The text is empty for None and for a property with no value.
 */
public record PropertyValue(PropertyType type, boolean isDefault, String text) {
    public PropertyValue {
        if (type == null || text == null) {
            throw new IllegalArgumentException("type and text are required");
        }
    }

    /** The body of {@code admin.vm.property.Get}: {@code default=True type=int 400}. */
    public String toApiString() {
        return "default=" + (isDefault ? "True" : "False") + " type=" + type.wireName() + " " + text;
    }
}
