package org.qubicle.model.storage;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * A storage pool's configuration, as {@code pools/pool} in qubes.xml and
 * {@code admin.pool.Info} show it: a name, a driver and the driver's parameters.
 */
public record Pool(String name, String driver, SortedMap<String, String> config) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public Pool {
        if (!NAME.matcher(name).matches()) {
            throw new QubesValueError("Invalid pool name: " + name);
        }
        if (!NAME.matcher(driver).matches()) {
            throw new QubesValueError("Invalid pool driver: " + driver);
        }
        config = Collections.unmodifiableSortedMap(new TreeMap<>(config));
    }

    /** The pool's {@code revisions_to_keep}, 1 unless configured. */
    public int revisionsToKeep() {
        return Integer.parseInt(config.getOrDefault("revisions_to_keep", "1"));
    }

    public Pool with(String key, String value) {
        TreeMap<String, String> c = new TreeMap<>(config);
        c.put(key, value);
        return new Pool(name, driver, c);
    }
}
