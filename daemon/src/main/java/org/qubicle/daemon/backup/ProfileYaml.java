package org.qubicle.daemon.backup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.model.exc.QubesException;

/**
 * The small YAML subset that backup profiles use (what {@code yaml.safe_dump} writes for
 * Qubes' profiles and what people write by hand): top-level {@code key: scalar}, block
 * lists ({@code key:} then {@code - item} lines), flow lists ({@code [a, b]}), plain,
 * single- and double-quoted scalars, {@code null}/{@code ~}, comments. Anything else is
 * refused with a clear message rather than guessed at.
 *
 * <p>Values: a {@link String}, a {@link Boolean} ({@code true/false/yes/no/on/off}, any
 * case, as YAML 1.1), {@code null}, or a {@code List<String>}.
 */
final class ProfileYaml {
    static final int MAX_BYTES = 64 * 1024;

    private ProfileYaml() {
    }

    static Map<String, Object> parse(String untrustedText) {
        if (untrustedText.length() > MAX_BYTES) {
            throw new QubesException("Invalid backup profile - too large");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        java.util.Set<String> blockKeys = new java.util.HashSet<>();
        List<String> list = null;
        int lineNo = 0;
        for (String raw : untrustedText.split("\n", -1)) {
            lineNo++;
            String line = stripComment(raw.replace("\r", ""));
            if (line.isBlank() || line.strip().equals("---")) {
                continue;
            }
            String trimmed = line.strip();
            if (trimmed.startsWith("- ") || trimmed.equals("-")) {
                if (list == null) {
                    throw error(lineNo, "list item outside a list");
                }
                Object v = scalar(trimmed.substring(1).strip(), lineNo);
                list.add(v == null ? "" : v.toString());
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                throw error(lineNo, "unexpected indentation");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw error(lineNo, "expected 'key: value'");
            }
            String key = line.substring(0, colon).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                throw error(lineNo, "invalid key");
            }
            if (out.containsKey(key)) {
                throw error(lineNo, "duplicate key " + key);
            }
            String value = line.substring(colon + 1).strip();
            if (value.isEmpty()) {
                // Either null or a block list that follows.
                blockKeys.add(key);
                list = new ArrayList<>();
                out.put(key, list);
                continue;
            }
            list = null;
            if (value.startsWith("[")) {
                out.put(key, flowList(value, lineNo));
            } else {
                out.put(key, scalar(value, lineNo));
            }
        }
        // "key:" with no items is YAML null.
        out.replaceAll((k, v) -> blockKeys.contains(k) && v instanceof List<?> l && l.isEmpty() ? null : v);
        return out;
    }

    private static List<String> flowList(String value, int lineNo) {
        if (!value.endsWith("]")) {
            throw error(lineNo, "unterminated list");
        }
        String inner = value.substring(1, value.length() - 1).strip();
        List<String> out = new ArrayList<>();
        if (inner.isEmpty()) {
            return out;
        }
        for (String item : splitFlow(inner, lineNo)) {
            Object v = scalar(item.strip(), lineNo);
            out.add(v == null ? "" : v.toString());
        }
        return out;
    }

    private static List<String> splitFlow(String s, int lineNo) {
        List<String> items = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                items.add(cur.toString());
                cur.setLength(0);
                continue;
            } else if (c == '[' || c == '{') {
                throw error(lineNo, "nested collections are not supported");
            }
            cur.append(c);
        }
        if (quote != 0) {
            throw error(lineNo, "unterminated quote");
        }
        items.add(cur.toString());
        return items;
    }

    private static Object scalar(String v, int lineNo) {
        if (v.startsWith("\"")) {
            return doubleQuoted(v, lineNo);
        }
        if (v.startsWith("'")) {
            if (v.length() < 2 || !v.endsWith("'")) {
                throw error(lineNo, "unterminated quote");
            }
            return v.substring(1, v.length() - 1).replace("''", "'");
        }
        if (v.startsWith("{") || v.startsWith("&") || v.startsWith("*") || v.startsWith("!") || v.startsWith("|")
                || v.startsWith(">")) {
            throw error(lineNo, "unsupported YAML construct");
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "null", "~" -> null;
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> v;
        };
    }

    private static String doubleQuoted(String v, int lineNo) {
        if (v.length() < 2 || !v.endsWith("\"")) {
            throw error(lineNo, "unterminated quote");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                if (++i >= v.length() - 1) {
                    throw error(lineNo, "bad escape");
                }
                char e = v.charAt(i);
                switch (e) {
                    case '\\', '"', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'x' -> {
                        if (i + 2 >= v.length() - 1) {
                            throw error(lineNo, "bad escape");
                        }
                        sb.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw error(lineNo, "unsupported escape \\" + e);
                }
            } else if (c == '"') {
                throw error(lineNo, "text after closing quote");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A '#' starts a comment at the line start or after a space, outside quotes. */
    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static QubesException error(int line, String what) {
        return new QubesException("Invalid backup profile - line " + line + ": " + what);
    }
}
