package org.qubicle.storage.fake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Capability;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;
import org.qubicle.storage.VolumeType;

/**
 * An in-memory pool. Besides the {@link Pool} API it lets a test play the qube: write to
 * and read from a started volume's running state.
 */
public final class FakePool implements Pool {
    /** Per-vid state, guarded by the pool's monitor. */
    static final class State {
        Image clean;
        Image dirty;
        /** For a snapshot: the source's clean image it started from. */
        Image linked;
        final TreeMap<Integer, Image> revisions = new TreeMap<>();
    }

    private final PoolConfig config;
    final Map<VolumeId, State> states = new TreeMap<>((a, b) -> a.value().compareTo(b.value()));

    FakePool(PoolConfig config) {
        this.config = config;
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public Set<Capability> capabilities() {
        return FakePoolDriver.CAPABILITIES;
    }

    @Override
    public void setup() {
    }

    @Override
    public synchronized void destroy() {
        if (!volumeIds().isEmpty()) {
            throw new org.qubicle.model.exc.QubesPoolInUseError("Pool " + config.name() + " still holds volumes");
        }
    }

    @Override
    public Volume volume(VolumeConfig vc) {
        if (!vc.pool().equals(config.name())) {
            throw new StoragePoolException("Volume " + vc.name() + " belongs to pool " + vc.pool());
        }
        if (vc.vid() == null) {
            throw new StoragePoolException("Volume " + vc.name() + " has no vid");
        }
        if (vc.type() == VolumeType.SNAPSHOT_AND_ORIGIN) {
            throw new StoragePoolException("Volume " + vc.vid() + ": snap_on_start together with save_on_stop");
        }
        return new FakeVolume(this, vc);
    }

    synchronized State state(VolumeId vid) {
        return states.computeIfAbsent(vid, k -> new State());
    }

    @Override
    public synchronized List<VolumeId> volumeIds() {
        List<VolumeId> out = new ArrayList<>();
        states.forEach((vid, s) -> {
            if (s.clean != null || s.dirty != null) {
                out.add(vid);
            }
        });
        return out;
    }

    /** Plays the qube: writes into a started volume's running state. */
    public synchronized void writeRunning(VolumeId vid, long offset, byte[] bytes) {
        State s = state(vid);
        if (s.dirty == null) {
            throw new StoragePoolException("Volume " + vid + " is not started");
        }
        s.dirty = s.dirty.write(offset, bytes);
    }

    /** Plays the qube: reads a started volume as the qube sees it. */
    public synchronized byte[] readRunning(VolumeId vid, long offset, int length) {
        State s = state(vid);
        if (s.dirty == null) {
            throw new StoragePoolException("Volume " + vid + " is not started");
        }
        return s.dirty.read(offset, length);
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public long usage() {
        return -1;
    }

    @Override
    public Map<String, String> usageDetails() {
        return Map.of();
    }
}
