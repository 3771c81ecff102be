package org.qubicle.model;

import java.util.Collection;
import java.util.Optional;
import org.qubicle.model.property.PropertyValue;

/**
 * Something with Qubes properties: a qube, or the system's global properties.
 * A property is either <em>set</em> (stored, saved in qubes.xml) or <em>default</em>
 * (computed now from the default chain); these are two states, not one value.
 */
public sealed interface PropertyHolder permits Qube, GlobalProperties {
    /** How messages name this holder: a qube's name, or {@code app} for the globals. */
    String holderName();

    /** Every property name this holder has, sorted. */
    Collection<String> propertyNames();

    /** @throws org.qubicle.model.exc.QubesNoSuchPropertyError for an unknown name */
    PropertyValue get(String name);

    /** The default value, ignoring any set one; empty when there is no default. */
    Optional<PropertyValue> getDefault(String name);

    /** Whether the property is set (not default). */
    boolean isSet(String name);

    /** Parses, validates and stores a value from a peer, firing Qubes' events. */
    void set(String name, String untrustedValue);

    /** Deletes the set value, so the default applies again. */
    void reset(String name);

    String help(String name);
}
