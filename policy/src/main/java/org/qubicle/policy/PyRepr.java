package org.qubicle.policy;

import java.util.List;

/** Python {@code repr()} of strings and lists of strings, for error texts that match upstream's. */
final class PyRepr {
    private PyRepr() {
    }

    static String str(String s) {
        String quote = s.contains("'") && !s.contains("\"") ? "\"" : "'";
        StringBuilder b = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (String.valueOf(c).equals(quote)) {
                        b.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append(quote).toString();
    }

    static String list(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(str(items.get(i)));
        }
        return b.append(']').toString();
    }

    /** Python repr of a tuple of strings, e.g. {@code (':',)}. */
    static String tuple(List<String> items) {
        if (items.size() == 1) {
            return "(" + str(items.get(0)) + ",)";
        }
        String l = list(items);
        return "(" + l.substring(1, l.length() - 1) + ")";
    }
}
