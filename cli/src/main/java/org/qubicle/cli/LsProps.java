package org.qubicle.cli;

import org.qubicle.api.client.PropertyValue;

/**
 * One qube's {@code admin.vm.property.GetAll} answer, parsed only for the properties asked
 * for. qvm-ls fetches some fifty properties per qube and shows three of them by default;
 * parsing all of a thousand qubes' into maps was most of the client's work.
 *
 * <p>Lookups give what {@link PropertyValue#parseAll} would: a line is
 * {@code <name> <Get answer>} with {@code \\} and {@code \n} escaped, and of two lines
 * with the same name the last counts. A malformed line throws when it is looked up.
 */
final class LsProps {
    /** No answer (not fetched): every property absent. */
    static final LsProps NONE = new LsProps("");

    private final String untrusted;
    /** The properties the answer was asked for; null when it holds them all. */
    private final java.util.Set<String> asked;

    LsProps(String untrustedGetAll) {
        this(untrustedGetAll, null);
    }

    /** Part of a GetAll: only the properties in {@code asked} (those the qube has). */
    LsProps(String untrustedGetAll, java.util.Set<String> asked) {
        this.untrusted = untrustedGetAll;
        this.asked = asked;
    }

    /** Whether the answer tells about {@code name}, present or absent. */
    boolean covers(String name) {
        return asked == null || asked.contains(name);
    }

    boolean isEmpty() {
        return untrusted.isEmpty();
    }

    /** The property, or null when the answer has no line for it. */
    PropertyValue get(String name) {
        int start = lineOf(name);
        if (start < 0) {
            return null;
        }
        int end = untrusted.indexOf('\n', start);
        String rest = untrusted.substring(start + name.length() + 1, end < 0 ? untrusted.length() : end);
        return PropertyValue.parseGet(PropertyValue.unescape(rest));
    }

    /** Where the last line for {@code name} starts, or -1. */
    private int lineOf(String name) {
        if (name.isEmpty() || name.indexOf('\n') >= 0 || name.indexOf(' ') >= 0) {
            return -1;
        }
        String key = "\n" + name + " ";
        int at = untrusted.lastIndexOf(key);
        if (at >= 0) {
            return at + 1;
        }
        return untrusted.startsWith(name + " ") ? 0 : -1;
    }
}
