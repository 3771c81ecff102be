package org.qubicle.api.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.qubicle.model.exc.QubesException;

/**
 * A property as {@code admin.vm.property.Get} reports it:
 * {@code default=<True|False> type=<T> <value>} (admin-api.md §3.1).
 *
 * @param isDefault whether the value is the computed default
 * @param type {@code vm}, {@code int}, {@code bool}, {@code label} or {@code str}
 * @param value the value text; empty means "no value" (None, or unset int/bool)
 */
public record PropertyValue(boolean isDefault, String type, String value) {
    public PropertyValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
    }

    /** True when the property has no value: a None reference or an unset int or bool. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    /** Parses the answer of {@code property.Get}. */
    public static PropertyValue parseGet(String untrusted) {
        if (!untrusted.startsWith("default=")) {
            throw new QubesDaemonCommunicationError("Invalid property answer: " + untrusted);
        }
        int sp1 = untrusted.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : untrusted.indexOf(' ', sp1 + 1);
        if (sp1 < 0 || sp2 < 0 || !untrusted.startsWith("type=", sp1 + 1)) {
            throw new QubesDaemonCommunicationError("Invalid property answer: " + untrusted);
        }
        String dflt = untrusted.substring("default=".length(), sp1);
        if (!dflt.equals("True") && !dflt.equals("False")) {
            throw new QubesDaemonCommunicationError("Invalid property answer: " + untrusted);
        }
        return new PropertyValue(dflt.equals("True"), untrusted.substring(sp1 + 6, sp2),
                untrusted.substring(sp2 + 1));
    }

    /**
     * Parses the answer of {@code property.GetAll}: lines {@code <name> <Get answer>},
     * where {@code \\} and {@code \n} are escaped.
     */
    public static Map<String, PropertyValue> parseAll(String untrusted) {
        Map<String, PropertyValue> all = new LinkedHashMap<>();
        int start = 0;
        int length = untrusted.length();
        while (start < length) {
            int end = untrusted.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            if (end > start) {
                String line = untrusted.substring(start, end);
                int sp = line.indexOf(' ');
                if (sp <= 0) {
                    throw new QubesDaemonCommunicationError("Invalid property line: " + line);
                }
                all.put(line.substring(0, sp), parseGet(unescape(line.substring(sp + 1))));
            }
            start = end + 1;
        }
        return all;
    }

    /** Undoes GetAll's escaping; only {@code \\} and {@code \n} exist. */
    public static String unescape(String text) {
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                if (n == 'n') {
                    out.append('\n');
                } else if (n == '\\') {
                    out.append('\\');
                } else {
                    throw new QubesException("Invalid escape sequence in property value");
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
