package org.qubicle.daemon.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.PoolDrivers;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;

/**
 * The storage module's volumes behind the model's volume metadata: opens each pool of
 * qubes.xml once (its per-volume locks must be shared) and translates a qube's
 * {@code volume-config} into the pool's {@link VolumeConfig}, with the snapshot source
 * resolved along the template chain. Volumes of pools without data (linux-kernel) have no
 * {@link Volume} here: namespace qubes run on the host kernel.
 */
public final class Volumes {
    private final PoolDrivers drivers;
    private final Map<String, Opened> pools = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    private record Opened(org.qubicle.model.storage.Pool model, Pool pool) {
    }

    Volumes(Path runDir) {
        this.drivers = PoolDrivers.standard(runDir);
    }

    /** The volume {@code name} of {@code q}; empty when it has none or it holds no data. */
    public Optional<Volume> find(Qube q, String name) {
        org.qubicle.model.storage.VolumeConfig mv = q.volumes().get(name);
        if (mv == null) {
            return Optional.empty();
        }
        org.qubicle.model.storage.Pool mp = q.app().pools().get(mv.pool());
        if (!mp.driver().equals("file")) {
            return Optional.empty();
        }
        Pool pool = pools.compute(mp.name(), (k, old) -> old != null && old.model().equals(mp) ? old : open(mp)).pool();
        VolumeId source = null;
        if (mv.snapOnStart()) {
            source = new VolumeId(q.volumeSource(name).orElseThrow(() -> new StoragePoolException(
                    "Volume " + q.name() + ":" + name + " has no source (no template?)")));
        }
        return Optional.of(pool.volume(new VolumeConfig(name, mp.name(), new VolumeId(mv.vid()), mv.size(), mv.rw(),
                mv.saveOnStop(), mv.snapOnStart(), source, mv.saveOnStop() ? mv.revisionsToKeep() : 0,
                mv.ephemeral().orElse(false))));
    }

    /** As {@link #find} but a missing volume is an error. */
    public Volume get(Qube q, String name) {
        return find(q, name).orElseThrow(() -> new StoragePoolException(
                "Volume " + q.name() + ":" + name + " holds no data"));
    }

    private Opened open(org.qubicle.model.storage.Pool mp) {
        Pool p = drivers.open(new PoolConfig(mp.name(), mp.driver(), mp.config()));
        p.setup();
        return new Opened(mp, p);
    }

    /**
     * Marks {@code q}'s volumes busy (an import or clone streaming data without the system
     * lock) until the returned handle is closed; a start meanwhile is refused.
     */
    public AutoCloseable markBusy(Qube q) {
        if (!busy.add(q.name())) {
            throw new StoragePoolException("A volume of " + q.name() + " is being written already");
        }
        return () -> busy.remove(q.name());
    }

    void requireIdle(Qube q) {
        if (busy.contains(q.name())) {
            throw new StoragePoolException("A volume of " + q.name() + " is being imported; try again later");
        }
    }

    /** Waits for background copies (precache) to finish. */
    public void awaitBackgroundWork() throws InterruptedException {
        for (Opened o : pools.values()) {
            o.pool().awaitBackgroundWork();
        }
    }
}
