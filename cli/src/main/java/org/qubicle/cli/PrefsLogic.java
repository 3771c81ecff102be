package org.qubicle.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesNoSuchPropertyError;

/** What qvm-prefs and qubes-prefs share: qubesadmin's {@code process_actions}. */
final class PrefsLogic {
    /** Properties where the word {@code none} means "no qube". */
    private static final Set<String> VM_REFS = Set.of("default_dispvm", "netvm", "template",
            "guivm", "audiovm");

    private PrefsLogic() {
    }

    /** @param vm the qube, or null for the global properties */
    static int process(QubesTool tool, String vm, PrefsOptions o) {
        Qubes qubes = tool.qubes();
        var out = tool.out();
        if (o.helpProperties) {
            List<String> names = qubes.propertyNames(vm);
            int width = names.stream().mapToInt(String::length).max().orElse(0);
            for (String name : new TreeSet<>(names)) {
                out.println(wrap(String.format("  %-" + width + "s  %s", name,
                        qubes.propertyHelp(vm, name)), width + 6));
            }
            return 0;
        }
        if (o.property == null) {
            if (o.delete) {
                throw new UsageError("--default requires a property");
            }
            List<String> names = qubes.propertyNames(vm);
            Map<String, PropertyValue> all = qubes.properties(vm);
            int width = names.stream().mapToInt(String::length).max().orElse(0);
            for (String name : new TreeSet<>(names)) {
                PropertyValue v = all.get(name);
                String padded = String.format("%-" + width + "s", name);
                if (v == null || (v.isEmpty() && (v.type().equals("int") || v.type().equals("bool")))) {
                    out.println(padded + "  U");
                } else if (!v.isDefault()) {
                    out.println(padded + "  -  " + shown(v));
                } else if (!o.hideDefault) {
                    out.println(padded + "  D  " + shown(v));
                }
            }
            return 0;
        }
        String property = o.property.replace('-', '_');
        try {
            if (o.value != null) {
                if (o.delete) {
                    throw new UsageError("argument --default/-D: not allowed with argument VALUE");
                }
                String value = o.value;
                if (value.equalsIgnoreCase("none") && VM_REFS.contains(property)) {
                    value = "";
                }
                qubes.setProperty(vm, property, value);
                return 0;
            }
            if (o.delete) {
                qubes.resetProperty(vm, property);
                return 0;
            }
            PropertyValue v = qubes.property(vm, property);
            if (o.hideDefault && v.isDefault()) {
                return 0;
            }
            if (v.isEmpty() && (v.type().equals("int") || v.type().equals("bool"))) {
                // qubesadmin raises AttributeError for an unset int/bool: nothing to show.
                return 0;
            }
            if (!(v.isEmpty() && (v.type().equals("vm") || v.type().equals("label")))) {
                out.println(v.value());
            }
            return 0;
        } catch (QubesNoSuchPropertyError e) {
            throw new UsageError("no such property: " + Py.repr(property));
        } catch (QubesException e) {
            throw new ToolExit(1, e.getMessage());
        }
    }

    /** Python's {@code str(value)}: None for an empty qube or label reference. */
    private static String shown(PropertyValue v) {
        if (v.isEmpty() && (v.type().equals("vm") || v.type().equals("label"))) {
            return "None";
        }
        return v.value();
    }

    /** textwrap.fill at 80 columns with the continuation indent of the real tool. */
    static String wrap(String text, int indent) {
        if (text.length() <= 80) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split(" +")) {
            int prefix = out.isEmpty() ? 2 : indent;
            if (!line.isEmpty() && prefix + line.length() + 1 + word.length() > 80) {
                out.append(out.isEmpty() ? "  " : "\n" + " ".repeat(indent)).append(line);
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            out.append(out.isEmpty() ? "  " : "\n" + " ".repeat(indent)).append(line);
        }
        return out.toString();
    }
}
