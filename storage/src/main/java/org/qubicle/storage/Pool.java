package org.qubicle.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An opened storage pool. It hands out {@link Volume}s; the per-volume operations live
 * there. Thread-safe: operations on one volume are serialized, different volumes proceed
 * in parallel.
 */
public interface Pool {
    /** The configuration this pool was opened with. */
    PoolConfig config();

    /** The driver's capabilities. */
    Set<Capability> capabilities();

    /** Creates what the pool needs on the host (its directory...). Idempotent. */
    void setup();

    /** Removes the pool's own files; refused while it still holds volumes. */
    void destroy();

    /**
     * The volume for a configuration (Qubes' {@code init_volume}). Creates nothing; call
     * {@link Volume#create()} for a new volume. Refuses a configuration this driver cannot
     * serve.
     */
    Volume volume(VolumeConfig config);

    /** The vids of the volumes in this pool ({@code admin.pool.volume.List}). */
    List<VolumeId> volumeIds();

    /** Capacity in bytes, or -1 if unknown. */
    long size();

    /** Bytes in use, or -1 if unknown. */
    long usage();

    /**
     * Waits until background work the pool started (the file pool's precache copies) has
     * finished. For an orderly shutdown and for tests that delete the pool's directory.
     */
    default void awaitBackgroundWork() throws InterruptedException {
    }

    /** {@code admin.pool.UsageDetails} keys, such as {@code data_size} and {@code data_usage}. */
    Map<String, String> usageDetails();
}
