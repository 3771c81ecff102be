package org.qubicle.daemon.storage;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.api.handlers.VolumeBackend;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeType;

/**
 * Volume data for the Admin API ({@link VolumeBackend}) on the pool volumes of a
 * {@link PoolStorage}.
 */
public final class PoolVolumeData implements VolumeBackend {
    private final Volumes volumes;

    PoolVolumeData(Volumes volumes) {
        this.volumes = volumes;
    }

    @Override
    public Map<String, String> info(Qube q, String volume) {
        Map<String, String> m = new LinkedHashMap<>();
        volumes.find(q, volume).ifPresent(v -> {
            m.put("size", Long.toString(v.size()));
            m.put("usage", Long.toString(v.usage()));
            m.put("path", v.path());
            m.put("is_outdated", v.isOutdated() ? "True" : "False");
        });
        return m;
    }

    @Override
    public List<String> revisions(Qube q, String volume) {
        return volumes.find(q, volume).map(Volume::revisions).orElse(List.of());
    }

    /** The volume, its committed state created empty first if it has never run. */
    private Volume existing(Qube q, String volume) {
        Volume v = volumes.get(q, volume);
        if (v.config().type() == VolumeType.ORIGIN) {
            try {
                v.verify();
            } catch (StoragePoolException e) {
                v.create();
            }
        }
        return v;
    }

    @Override
    public long revert(Qube q, String volume, String revision) {
        Volume v = volumes.get(q, volume);
        v.revert(revision);
        return v.size();
    }

    @Override
    public long resize(Qube q, String volume, long size) {
        Volume v = volumes.get(q, volume);
        if (v.config().type() == VolumeType.SNAPSHOT && q.powerState() == PowerState.Halted) {
            // A halted snapshot has no data of its own: only its recorded size changes.
            if (size < v.config().size()) {
                throw new StoragePoolException("For your own safety, shrinking of " + volume + " is disabled");
            }
            return size;
        }
        v = existing(q, volume);
        try {
            v.resize(size);
        } catch (StoragePoolException e) {
            if (v.size() == size) {
                // Grown, but the file system grows only at the next start (docs/storage.md).
                return size;
            }
            throw e;
        }
        return v.size();
    }

    @Override
    public long clear(Qube q, String volume) {
        Volume v = existing(q, volume);
        v.clear();
        return v.size();
    }

    @Override
    public long importData(Qube q, String volume, InputStream untrustedData, long size) {
        halted(q);
        Volume v = existing(q, volume);
        v.importData(untrustedData, size);
        return v.size();
    }

    @Override
    public InputStream export(Qube q, String volume) {
        return existing(q, volume).export();
    }

    @Override
    public long size(Qube q, String volume) {
        return volumes.find(q, volume).map(Volume::size).orElse(0L);
    }

    @Override
    public long cloneFrom(Qube src, String srcVolume, Qube dst, String dstVolume) {
        Volume to = existing(dst, dstVolume);
        to.importFrom(existing(src, srcVolume));
        return to.size();
    }

    @Override
    public AutoCloseable markBusy(Qube q) {
        return volumes.markBusy(q);
    }

    private static void halted(Qube q) {
        if (q.powerState() != PowerState.Halted) {
            throw new QubesVMNotHaltedError("Qube " + q.name() + " is not halted");
        }
    }
}
