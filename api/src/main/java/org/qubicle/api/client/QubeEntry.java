package org.qubicle.api.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of {@code admin.vm.List}: {@code <name> class=<C> state=<S> uuid=<U>}.
 * Unknown keys are ignored, as qubesadmin ignores them.
 *
 * @param name qube name
 * @param klass class name, e.g. {@code AppVM}
 * @param state power state, e.g. {@code Running}; empty if not sent
 * @param uuid the uuid text; empty if not sent
 */
public record QubeEntry(String name, String klass, String state, String uuid) {
    public QubeEntry {
        Objects.requireNonNull(name);
        Objects.requireNonNull(klass);
        Objects.requireNonNull(state);
        Objects.requireNonNull(uuid);
    }

    /** Parses the whole answer, in the daemon's order (sorted by name). */
    public static List<QubeEntry> parseList(String untrusted) {
        List<QubeEntry> list = new ArrayList<>();
        for (String line : untrusted.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ");
            String klass = null;
            String state = "";
            String uuid = "";
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i];
                if (part.startsWith("class=")) {
                    klass = part.substring(6);
                } else if (part.startsWith("state=")) {
                    state = part.substring(6);
                } else if (part.startsWith("uuid=")) {
                    uuid = part.substring(5);
                }
            }
            if (parts[0].isEmpty() || klass == null) {
                throw new QubesDaemonCommunicationError("Invalid qube list line: " + line);
            }
            list.add(new QubeEntry(parts[0], klass, state, uuid));
        }
        return list;
    }
}
