package org.qubicle.model.property;

/** The type of a property, as {@code admin.vm.property.Get} names it ({@code type=...}). */
public enum PropertyType {
    VM("vm"), INT("int"), BOOL("bool"), LABEL("label"), STR("str");

    private final String wireName;

    PropertyType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
