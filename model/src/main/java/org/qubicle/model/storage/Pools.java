package org.qubicle.model.storage;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.qubicle.model.exc.QubesPoolInUseError;
import org.qubicle.model.exc.QubesPoolNotFoundError;

/**
 * The pools of one system, and the pool drivers this host offers with their parameters
 * (as {@code admin.pool.ListDrivers} lists them). The storage module registers its
 * drivers here; the model keeps only metadata.
 */
public final class Pools {
    private final TreeMap<String, Pool> pools = new TreeMap<>();
    private final TreeMap<String, List<String>> drivers = new TreeMap<>(Map.of(
            "file", List.of("dir_path", "revisions_to_keep", "ephemeral_volatile"),
            "linux-kernel", List.of("dir_path")));

    public Collection<Pool> all() {
        return Collections.unmodifiableCollection(pools.values());
    }

    public Optional<Pool> find(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public Pool get(String name) {
        Pool p = pools.get(name);
        if (p == null) {
            throw new QubesPoolNotFoundError("Unknown storage pool " + name);
        }
        return p;
    }

    public SortedMap<String, List<String>> drivers() {
        return Collections.unmodifiableSortedMap(drivers);
    }

    public void registerDriver(String driver, List<String> parameters) {
        drivers.put(driver, List.copyOf(parameters));
    }

    /** Adds a pool as loaded from qubes.xml, without checks. */
    public void load(Pool pool) {
        pools.put(pool.name(), pool);
    }

    public void add(Pool pool) {
        if (pools.containsKey(pool.name())) {
            throw new QubesPoolInUseError("Pool " + pool.name() + " already exists");
        }
        pools.put(pool.name(), pool);
    }

    public void replace(Pool pool) {
        get(pool.name());
        pools.put(pool.name(), pool);
    }

    public void remove(String name) {
        get(name);
        pools.remove(name);
    }
}
