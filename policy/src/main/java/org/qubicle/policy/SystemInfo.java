package org.qubicle.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of the system the policy is evaluated against: every qube by name, and also by
 * {@code uuid:UUID} (the alias upstream adds so that uuid tokens resolve).
 */
public final class SystemInfo {
    /** dom0's fixed UUID. */
    public static final String DOM0_UUID = "00000000-0000-0000-0000-000000000000";

    private final Map<String, QubeInfo> byName;
    private final Map<String, QubeInfo> byKey;
    private final List<QubeInfo> ordered;
    /** What tokens expand to in ask prompts; the system never changes, so it is built once. */
    private volatile AskTargets.Universe askUniverse;

    /** Builds the lookup from the qubes, in the order given (the order upstream iterates). */
    public SystemInfo(Collection<QubeInfo> qubes) {
        byName = new LinkedHashMap<>();
        for (QubeInfo q : qubes) {
            if (byName.put(q.name(), q) != null) {
                throw new IllegalArgumentException("duplicate qube: " + q.name());
            }
        }
        ordered = List.copyOf(byName.values());
        byKey = new HashMap<>(byName);
        for (QubeInfo q : qubes) {
            if (q.uuid() != null) {
                byKey.put("uuid:" + q.uuid(), q);
            }
        }
    }

    /** The qube that {@code key} (a name or {@code uuid:UUID}) names, or null. */
    public QubeInfo get(String key) {
        return byKey.get(key);
    }

    AskTargets.Universe askUniverse() {
        AskTargets.Universe u = askUniverse;
        if (u == null) {
            u = new AskTargets.Universe(this);
            askUniverse = u;
        }
        return u;
    }

    /** Whether {@code key} is a qube name or a {@code uuid:} alias. */
    public boolean contains(String key) {
        return byKey.containsKey(key);
    }

    /** Every qube, in the order given. */
    public List<QubeInfo> qubes() {
        return ordered;
    }

    /**
     * Reads the JSON form of {@code internal.GetSystemInfo}, already parsed into maps and lists:
     * {@code {"domains": {"NAME": {"tags": [...], "type": ..., ...}}}}.
     *
     * @throws IllegalArgumentException when required fields are missing or mistyped
     */
    public static SystemInfo fromJson(Object untrustedJson) {
        Map<?, ?> root = asMap(untrustedJson, "system");
        Map<?, ?> domains = asMap(root.get("domains"), "domains");
        List<QubeInfo> qubes = new ArrayList<>();
        for (Map.Entry<?, ?> e : domains.entrySet()) {
            String name = (String) e.getKey();
            Map<?, ?> d = asMap(e.getValue(), name);
            List<String> tags = new ArrayList<>();
            Object t = d.get("tags");
            if (t != null) {
                if (!(t instanceof List<?> l)) {
                    throw new IllegalArgumentException(name + ": tags is not a list");
                }
                for (Object o : l) {
                    tags.add(String.valueOf(o));
                }
            }
            qubes.add(new QubeInfo(name, tags, str(d, "type", "AppVM"), truthy(d.get("template_for_dispvms")),
                    str(d, "default_dispvm", null), str(d, "icon", null), str(d, "label", null),
                    str(d, "guivm", null), str(d, "relayvm", null), str(d, "transport_rpc", null),
                    str(d, "power_state", "Halted"), str(d, "uuid", null), truthy(d.get("internal"))));
        }
        return new SystemInfo(qubes);
    }

    /** The JSON form, as qubesd's {@code internal.GetSystemInfo} returns it. */
    public Map<String, Object> toJson() {
        Map<String, Object> domains = new LinkedHashMap<>();
        for (QubeInfo q : byName.values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("tags", q.tags());
            d.put("type", q.type());
            d.put("template_for_dispvms", q.templateForDispvms());
            d.put("default_dispvm", q.defaultDispvm());
            d.put("icon", q.icon());
            d.put("label", q.label());
            d.put("guivm", q.guivm());
            d.put("relayvm", q.relayvm());
            d.put("transport_rpc", q.transportRpc());
            d.put("power_state", q.powerState());
            d.put("uuid", q.uuid());
            d.put("internal", q.internal() ? Boolean.TRUE : null);
            domains.put(q.name(), d);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("domains", domains);
        return root;
    }

    private static Map<?, ?> asMap(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + ": not an object");
        }
        return m;
    }

    private static String str(Map<?, ?> d, String key, String dflt) {
        Object v = d.get(key);
        if (v == null) {
            return d.containsKey(key) ? null : dflt;
        }
        return v instanceof String s ? s : String.valueOf(v);
    }

    /** Python truthiness of a JSON value: null, false, 0, "" and empty containers are false. */
    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Number n -> n.doubleValue() != 0;
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }
}
