package org.qubicle.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * A pool as {@code qubes.xml} ({@code <pool name=... driver=... dir_path=... />}) and
 * {@code admin.pool.Add} describe it: a name, a driver and the driver's options.
 *
 * <p>Example: {@code new PoolConfig("varlibqubes", "file", Map.of("dir_path",
 * "/var/lib/qubes", "revisions_to_keep", "1"))}. Which options a driver accepts is the
 * driver's business ({@link PoolDriver#open}); this record only checks their shape.
 *
 * @param name    the pool name
 * @param driver  the driver name, as in {@code file}
 * @param options every other key, sorted; never contains {@code name} or {@code driver}
 */
public record PoolConfig(String name, String driver, Map<String, String> options) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final int MAX_VALUE = 4096;

    public PoolConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new QubesValueError("Invalid pool name: " + name);
        }
        if (driver == null || !NAME.matcher(driver).matches()) {
            throw new QubesValueError("Invalid pool driver: " + driver);
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (var e : options.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k == null || !KEY.matcher(k).matches() || k.equals("name") || k.equals("driver")) {
                throw new QubesValueError("Invalid pool option: " + k);
            }
            if (v == null || v.length() > MAX_VALUE || v.chars().anyMatch(c -> c < 0x20)) {
                throw new QubesValueError("Invalid value for pool option " + k);
            }
            sorted.put(k, v);
        }
        options = Collections.unmodifiableMap(sorted);
    }

    /** One option, if set. */
    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** The pool's default {@code revisions_to_keep} (Qubes' default 1); at least -1. */
    public int revisionsToKeep() {
        String v = options.getOrDefault("revisions_to_keep", "1");
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new QubesValueError("Invalid revisions_to_keep: " + v);
        }
        if (n < -1) {
            throw new QubesValueError("revisions_to_keep must be at least -1");
        }
        return n;
    }

    /** The pool's default for the {@code ephemeral} flag of volatile volumes. */
    public boolean ephemeralVolatile() {
        return option("ephemeral_volatile").map(PoolConfig::parseBool).orElse(false);
    }

    /** A copy with one option changed, as {@code admin.pool.Set.*} does. */
    public PoolConfig with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(options);
        m.put(key, value);
        return new PoolConfig(name, driver, m);
    }

    /** The {@code admin.pool.Info} keys: all options plus name and driver, sorted. */
    public Map<String, String> info() {
        TreeMap<String, String> m = new TreeMap<>(options);
        m.put("name", name);
        m.put("driver", driver);
        return Collections.unmodifiableMap(m);
    }

    /** Parses a Qubes boolean the way the Admin API accepts it. */
    public static boolean parseBool(String v) {
        return switch (v) {
            case "True", "true", "1", "yes", "on" -> true;
            case "False", "false", "0", "no", "off", "" -> false;
            default -> throw new QubesValueError("Invalid boolean: " + v);
        };
    }
}
