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

    /**
     * Python's {@code textwrap.fill(text, width=80)} with the given continuation indent:
     * whitespace inside a line is kept, breaks drop it. {@code text} starts with its own
     * initial indent.
     */
    static String wrap(String text, int indent) {
        if (text.length() <= 80) {
            return text;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s+|\\S+").matcher(text.substring(2));
        java.util.List<String> chunks = new java.util.ArrayList<>();
        while (m.find()) {
            // As textwrap's break_on_hyphens: "qvm-open" may break after "qvm-".
            String word = m.group();
            int from = 0;
            for (int i = 1; i + 1 < word.length(); i++) {
                if (word.charAt(i) == '-' && Character.isLetterOrDigit(word.charAt(i - 1))
                        && Character.isLetter(word.charAt(i + 1))) {
                    chunks.add(word.substring(from, i + 1));
                    from = i + 1;
                }
            }
            chunks.add(word.substring(from));
        }
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder("  ");
        int base = 2;
        for (String chunk : chunks) {
            boolean space = Character.isWhitespace(chunk.charAt(0));
            if (line.length() + chunk.length() > 80 && line.length() > base) {
                out.append(line.toString().stripTrailing()).append('\n');
                line.setLength(0);
                line.repeat(' ', indent);
                base = indent;
            }
            if (space && line.length() == base) {
                continue;
            }
            line.append(chunk);
        }
        return out.append(line.toString().stripTrailing()).toString();
    }
}
