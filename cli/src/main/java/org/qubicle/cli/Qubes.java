package org.qubicle.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.api.client.AdminClient;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.api.client.QubeEntry;

/**
 * The tools' view of the daemon: typed wrappers around the Admin API calls they make,
 * with the qube list cached for one run, as qubesadmin caches it.
 */
final class Qubes {
    static final String DOM0 = "dom0";

    private final AdminClient client;
    private Map<String, QubeEntry> domains;

    Qubes(AdminClient client) {
        this.client = client;
    }

    AdminClient client() {
        return client;
    }

    String call(String dest, String method, String arg, String payload) {
        return client.callText(dest, method, arg, payload);
    }

    /** Every qube, sorted by name (the daemon's order). */
    Map<String, QubeEntry> domains() {
        if (domains == null) {
            Map<String, QubeEntry> map = new LinkedHashMap<>();
            for (QubeEntry e : QubeEntry.parseList(call(DOM0, "admin.vm.List", null, null))) {
                map.put(e.name(), e);
            }
            domains = map;
        }
        return domains;
    }

    void forget() {
        domains = null;
    }

    /** The qube, or a usage error {@code no such domain: 'x'} (exit 2), as Qubes' parser. */
    QubeEntry require(String name) {
        QubeEntry e = domains().get(name);
        if (e == null) {
            throw new UsageError("no such domain: " + Py.repr(name));
        }
        return e;
    }

    /**
     * Resolves VMNAME arguments as qubesadmin's VmNameAction: wildcards match existing
     * qubes, duplicates are dropped, an unknown name is a usage error. With {@code all},
     * every qube but dom0 and the excluded ones.
     */
    List<QubeEntry> resolve(List<String> names, boolean all, List<String> exclude) {
        List<QubeEntry> result = new ArrayList<>();
        if (all) {
            for (QubeEntry e : domains().values()) {
                if (!e.klass().equals("AdminVM") && !exclude.contains(e.name())) {
                    result.add(e);
                }
            }
            return result;
        }
        if (!exclude.isEmpty()) {
            throw new UsageError("--exclude can only be used with --all");
        }
        List<String> wanted = new ArrayList<>();
        for (String name : names) {
            if (Py.isPattern(name)) {
                for (String existing : domains().keySet()) {
                    if (!wanted.contains(existing) && Py.fnmatch(existing, name)) {
                        wanted.add(existing);
                    }
                }
            } else if (!wanted.contains(name)) {
                wanted.add(name);
            }
        }
        for (String name : wanted) {
            result.add(require(name));
        }
        return result;
    }

    // --- properties: "vm" is a qube name, or null for the global holder (dom0 API) ---

    private static String prefix(String vm) {
        return vm == null ? "admin.property." : "admin.vm.property.";
    }

    private static String dest(String vm) {
        return vm == null ? DOM0 : vm;
    }

    Map<String, PropertyValue> properties(String vm) {
        return PropertyValue.parseAll(call(dest(vm), prefix(vm) + "GetAll", null, null));
    }

    List<String> propertyNames(String vm) {
        return lines(call(dest(vm), prefix(vm) + "List", null, null));
    }

    PropertyValue property(String vm, String name) {
        return PropertyValue.parseGet(call(dest(vm), prefix(vm) + "Get", name, null));
    }

    void setProperty(String vm, String name, String value) {
        call(dest(vm), prefix(vm) + "Set", name, value);
    }

    void resetProperty(String vm, String name) {
        call(dest(vm), prefix(vm) + "Reset", name, null);
    }

    String propertyHelp(String vm, String name) {
        return call(dest(vm), prefix(vm) + "Help", name, null);
    }

    // --- features and tags ---

    List<String> features(String vm) {
        return lines(call(vm, "admin.vm.feature.List", null, null));
    }

    String feature(String vm, String name) {
        return call(vm, "admin.vm.feature.Get", name, null);
    }

    void setFeature(String vm, String name, String value) {
        call(vm, "admin.vm.feature.Set", name, value);
    }

    void removeFeature(String vm, String name) {
        call(vm, "admin.vm.feature.Remove", name, null);
    }

    List<String> tags(String vm) {
        return lines(call(vm, "admin.vm.tag.List", null, null));
    }

    /** Lines of a list answer; the trailing newline gives no empty item. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end > start) {
                out.add(text.substring(start, end));
            }
            start = end + 1;
        }
        return out;
    }

    /** {@code key=value} lines (volume and pool info), in order. */
    static Map<String, String> keyValues(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : lines(text)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
