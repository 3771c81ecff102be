package org.qubicle.model;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.qubicle.model.event.PropertyPreReset;
import org.qubicle.model.event.PropertyPreSet;
import org.qubicle.model.event.PropertyReset;
import org.qubicle.model.event.PropertySet;
import org.qubicle.model.exc.QubesNoSuchPropertyError;
import org.qubicle.model.exc.QubesPropertyValueError;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.model.property.Property;
import org.qubicle.model.property.PropertyValue;

/**
 * The shared property machinery of {@link Qube} and {@link GlobalProperties}: the stored
 * values, the descriptor table, and Qubes' set and reset sequence with its events.
 */
abstract class PropertyBag<H> {
    /** Set values only, in canonical text form; defaults are never stored. */
    final TreeMap<String, String> values = new TreeMap<>();

    abstract Map<String, Property<H>> table();

    abstract H self();

    abstract Qubes app0();

    abstract String subject();

    abstract String holderName();

    /** Whether the holder is halted, for {@link Property.Flag#HALTED_ONLY}. */
    abstract boolean isHalted();

    final Property<H> descriptor(String name) {
        Property<H> p = table().get(name);
        if (p == null) {
            throw new QubesNoSuchPropertyError("Invalid property '" + name + "' of " + holderName());
        }
        return p;
    }

    public Collection<String> propertyNames() {
        return table().keySet();
    }

    /** Whether a value is stored, without checking the name. */
    final boolean isSetSafe(String name) {
        return values.containsKey(name);
    }

    public boolean isSet(String name) {
        descriptor(name);
        return values.containsKey(name);
    }

    public PropertyValue get(String name) {
        Property<H> p = descriptor(name);
        String stored = p.has(Property.Flag.READ_ONLY) ? null : values.get(name);
        if (stored != null) {
            return new PropertyValue(p.type(), false, stored);
        }
        return new PropertyValue(p.type(), true, p.defaultValue().apply(self()).orElse(""));
    }

    public Optional<PropertyValue> getDefault(String name) {
        Property<H> p = descriptor(name);
        return p.defaultValue().apply(self()).map(v -> new PropertyValue(p.type(), true, v));
    }

    /** The effective value, empty for None or no value. */
    final Optional<String> effective(String name) {
        String text = get(name).text();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    public String help(String name) {
        return descriptor(name).help();
    }

    public void set(String name, String untrustedValue) {
        Property<H> p = descriptor(name);
        if (p.has(Property.Flag.READ_ONLY)) {
            throw new QubesPropertyValueError("Property '" + name + "' of " + holderName() + " is read-only");
        }
        if (p.has(Property.Flag.WRITE_ONCE) && values.containsKey(name)) {
            throw new QubesPropertyValueError("Property '" + name + "' is write-once and already set");
        }
        if (p.has(Property.Flag.HALTED_ONLY) && !isHalted()) {
            throw new QubesVMNotHaltedError("Cannot change " + name + " of " + holderName() + " while it is running");
        }
        String value = p.validator().validate(self(), PropertyCodec.parse(app0(), p, untrustedValue));
        store(p, value);
    }

    /** Stores a canonical value with events; validation has been done. */
    final void store(Property<H> p, String value) {
        String old = oldValue(p.name());
        app0().events().fire(new PropertyPreSet(subject(), p.name(), value, old));
        values.put(p.name(), value);
        app0().events().fire(new PropertySet(subject(), p.name(), value, old));
    }

    public void reset(String name) {
        Property<H> p = descriptor(name);
        if (p.has(Property.Flag.READ_ONLY)) {
            throw new QubesPropertyValueError("Property '" + name + "' of " + holderName() + " is read-only");
        }
        if (p.has(Property.Flag.NO_RESET)) {
            throw new QubesPropertyValueError("Cannot reset " + name + " of " + holderName()
                    + "; set it to the value you want instead");
        }
        if (p.has(Property.Flag.HALTED_ONLY) && !isHalted()) {
            throw new QubesVMNotHaltedError("Cannot change " + name + " of " + holderName() + " while it is running");
        }
        String old = oldValue(name);
        app0().events().fire(new PropertyPreReset(subject(), name, old));
        values.remove(name);
        app0().events().fire(new PropertyReset(subject(), name, old));
    }

    private String oldValue(String name) {
        PropertyValue v = get(name);
        return v.isDefault() && v.text().isEmpty() ? null : v.text();
    }

    /** Loads a stored value from qubes.xml without validation or events. */
    public final void loadProperty(String name, String value) {
        values.put(name, value);
    }
}
