package org.qubicle.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's notion of whitespace, line splitting and {@code str.split()}, which the reference
 * parser uses on every policy line. Java's {@code String.strip()} and {@code Character.isWhitespace}
 * disagree with Python on characters such as U+00A0 and U+001C, and a rule that upstream reads as
 * two fields must read as two fields here too.
 */
final class PyText {
    private PyText() {
    }

    /** {@code str.isspace()} for one UTF-16 unit (Python has no whitespace outside the BMP). */
    static boolean isSpace(char c) {
        return switch (c) {
            case ' ', '\t', '\n', '\u000b', '\f', '\r', '\u001c', '\u001d', '\u001e', '\u001f',
                 '\u0085', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200a';
        };
    }

    /** {@code str.strip()}. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code str.split()} without arguments: runs of whitespace separate, no empty fields. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>(8);
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /**
     * Lines as Python's text-mode file iteration yields them (universal newlines: {@code \r\n},
     * {@code \r} and {@code \n} all end a line), without the line ends.
     */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            out.add(text.substring(start));
        }
        return out;
    }
}
