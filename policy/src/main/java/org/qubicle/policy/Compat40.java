package org.qubicle.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The R4.0 policy directory that {@code !compat-4.0} pulls in (spec §2.2): files named
 * {@code SERVICE} or {@code SERVICE+ARG} in the legacy 3-column format, grouped by service, the
 * specific arguments first (sorted) and the generic file last.
 */
final class Compat40 {
    private Compat40() {
    }

    /** One file to include: the service, the argument ({@code *} for the generic file), its name. */
    record Entry(String service, String argument, String name) {
    }

    /** The files of the directory listing {@code names}, in load order; {@code isFile} filters. */
    static List<Entry> order(List<String> names, java.util.function.Predicate<String> isFile) {
        Map<String, List<Entry>> byService = new TreeMap<>();
        for (String name : names) {
            if (!isFile.test(name) || name.startsWith(".") || ignoredSuffix(name) || !rpcName(name)) {
                continue;
            }
            int plus = name.indexOf('+');
            Entry e = plus < 0 ? new Entry(name, "*", name)
                    : new Entry(name.substring(0, plus), name.substring(plus), name);
            byService.computeIfAbsent(e.service(), k -> new ArrayList<>()).add(e);
        }
        List<Entry> out = new ArrayList<>();
        Comparator<Entry> genericLast = Comparator.comparing((Entry e) -> e.argument().equals("*"))
                .thenComparing(Entry::argument);
        for (List<Entry> entries : byService.values()) {
            entries.sort(genericLast);
            out.addAll(entries);
        }
        return out;
    }

    private static boolean ignoredSuffix(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return false;
        }
        String suffix = name.substring(dot);
        return suffix.equals(".rpmsave") || suffix.equals(".rpmnew") || suffix.equals(".swp");
    }

    private static boolean rpcName(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!Rule.rpcChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
