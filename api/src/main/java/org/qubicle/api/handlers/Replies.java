package org.qubicle.api.handlers;

import java.util.Collection;

/** Small helpers for reply bodies. */
final class Replies {
    private Replies() {
    }

    /** One item per line, each ending in a newline; empty for an empty list. */
    static String lines(Collection<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String item : items) {
            sb.append(item).append('\n');
        }
        return sb.toString();
    }

    static String bool(boolean b) {
        return b ? "True" : "False";
    }
}
