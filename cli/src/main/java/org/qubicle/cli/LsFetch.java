package org.qubicle.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fetches the listed qubes' properties for qvm-ls: from our daemon in one call
 * ({@code admin.vm.property.GetAllOfAll}, a Qubicle extension, docs/api.md) for the
 * properties the listing needs; else (Qubes' own qubesd, or a qube the answer left out) one
 * {@code admin.vm.property.GetAll} per qube, as the real tool does.
 */
final class LsFetch {
    static final String GET_ALL_OF_ALL = org.qubicle.api.Extensions.GET_ALL_OF_ALL;

    private LsFetch() {
    }

    /**
     * Fills {@code vms[i].props}. The one call answers for every qube, so it is worth it only
     * when the list holds many qubes and a good part of {@code total}, the qubes that exist.
     */
    static void properties(Qubes qubes, List<LsQube> vms, int total, List<String> columns) {
        Map<String, LsProps> all = Map.of();
        if (vms.size() >= 8 && vms.size() * 4 >= total) {
            Set<String> asked = asked(columns);
            try {
                all = parse(qubes.call("dom0", GET_ALL_OF_ALL, String.join("+", asked), null), asked);
            } catch (RuntimeException e) {
                // Not our daemon (Qubes' qubesd drops the connection of an unknown method), or
                // not allowed: one call per qube.
            }
        }
        List<LsQube> missing = new ArrayList<>();
        for (LsQube vm : vms) {
            LsProps p = all.get(vm.name());
            if (p != null) {
                vm.props = p;
            } else {
                missing.add(vm);
            }
        }
        Parallel.forEach(missing, vm -> vm.props = new LsProps(
                qubes.call(vm.name(), "admin.vm.property.GetAll", null, null)));
    }

    /**
     * The properties that the columns show, and those the usual filters and {@code --tree}
     * read. A property read later that is not among them makes its qube fetch all of its
     * own ({@link LsQube#property}), so the set decides the speed, never the output.
     */
    static Set<String> asked(List<String> columns) {
        Set<String> asked = new TreeSet<>(List.of("label", "template", "netvm", "provides_network"));
        for (String column : columns) {
            switch (LsColumns.head(column)) {
                case "STATE", "CLASS", "NAME", "MEMORY", "DISK", "PRIV-CURR", "PRIV-MAX", "PRIV-USED", "PRIV-POOL",
                     "ROOT-CURR", "ROOT-MAX", "ROOT-USED", "ROOT-POOL" -> {
                    // from admin.vm.List, or from other calls
                }
                case "FLAGS" -> asked.addAll(List.of("virt_mode", "updateable", "installed_by_rpm", "internal",
                        "debug", "autostart"));
                case "GATEWAY" -> asked.add("gateway");
                default -> {
                    String name = column.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
                    if (name.matches("[a-z0-9_]{1,64}")) {
                        asked.add(name);
                    }
                }
            }
        }
        return asked;
    }

    /** {@code NAME LENGTH\n} then LENGTH characters of that qube's GetAll, for each qube. */
    static Map<String, LsProps> parse(String untrusted, Set<String> asked) {
        Map<String, LsProps> map = new HashMap<>();
        int at = 0;
        while (at < untrusted.length()) {
            int nl = untrusted.indexOf('\n', at);
            int sp = untrusted.indexOf(' ', at);
            if (nl < 0 || sp < 0 || sp > nl) {
                throw new IllegalArgumentException("malformed " + GET_ALL_OF_ALL + " answer");
            }
            int length = Integer.parseInt(untrusted, sp + 1, nl, 10);
            if (length < 0 || length > untrusted.length() - nl - 1) {
                throw new IllegalArgumentException("truncated " + GET_ALL_OF_ALL + " answer");
            }
            int end = nl + 1 + length;
            map.put(untrusted.substring(at, sp), new LsProps(untrusted.substring(nl + 1, end), asked));
            at = end;
        }
        return map;
    }
}
