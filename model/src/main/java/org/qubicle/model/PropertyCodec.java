package org.qubicle.model;

import java.util.Locale;
import org.qubicle.model.exc.QubesPropertyValueError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.property.Property;

/** Parses a property value from a peer by its type, as qubesd's {@code sanitize} and setters do. */
final class PropertyCodec {
    private PropertyCodec() {
    }

    static String parse(Qubes app, Property<?> p, String untrusted) {
        if (!untrusted.chars().allMatch(c -> c < 0x80)) {
            throw new QubesValueError("Non-ASCII bytes in property value");
        }
        return switch (p.type()) {
            case BOOL -> parseBool(untrusted);
            case INT -> parseInt(untrusted);
            case LABEL -> app.labels().get(untrusted).name();
            case VM -> parseVm(app, p.name(), untrusted);
            case STR -> parseStr(untrusted);
        };
    }

    static String parseBool(String untrusted) {
        return switch (untrusted.strip().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> "True";
            case "0", "no", "false", "off" -> "False";
            default -> throw new QubesValueError("Invalid literal for boolean property: " + untrusted);
        };
    }

    static String parseInt(String untrusted) {
        String s = untrusted.strip().replace("_", "");
        if (!s.matches("[+-]?[0-9]{1,18}")) {
            throw new QubesValueError("Failed to parse property value as int");
        }
        return Long.toString(Long.parseLong(s));
    }

    static String parseVm(Qubes app, String property, String untrusted) {
        if (untrusted.isEmpty()) {
            return "";
        }
        QubeName name = QubeName.parse(untrusted);
        if (app.find(name.value()).isEmpty()) {
            throw new QubesPropertyValueError("Can't set " + property + " to non-existing qube " + name);
        }
        return name.value();
    }

    static String parseStr(String untrusted) {
        for (int i = 0; i < untrusted.length(); i++) {
            char c = untrusted.charAt(i);
            boolean printable = (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
            if (!printable) {
                throw new QubesValueError("Property value contains unprintable characters");
            }
        }
        return untrusted;
    }
}
