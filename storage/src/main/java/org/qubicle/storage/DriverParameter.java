package org.qubicle.storage;

import java.util.regex.Pattern;

/**
 * A pool parameter a driver accepts in {@code admin.pool.Add}.
 *
 * @param name     the key, as in {@code dir_path}
 * @param required true if the pool cannot be created without it (no default)
 */
public record DriverParameter(String name, boolean required) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public DriverParameter {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad driver parameter name: " + name);
        }
    }
}
