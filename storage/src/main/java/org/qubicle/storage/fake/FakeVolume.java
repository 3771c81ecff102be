package org.qubicle.storage.fake;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import org.qubicle.model.exc.QubesNotImplementedError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.exc.QubesVolumeRevisionNotFoundError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeType;

/** An in-memory volume with the file pool's semantics. Every method holds the pool's monitor. */
final class FakeVolume implements Volume {
    /** Fakes hold data in arrays; anything bigger is a test bug. */
    private static final long MAX_IMPORT = 64L << 20;

    private final FakePool pool;
    private VolumeConfig config;

    FakeVolume(FakePool pool, VolumeConfig config) {
        this.pool = pool;
        this.config = config;
    }

    private FakePool.State me() {
        return pool.state(config.vid());
    }

    @Override
    public VolumeConfig config() {
        synchronized (pool) {
            return config.withSize(size());
        }
    }

    @Override
    public void create() {
        synchronized (pool) {
            FakePool.State s = me();
            s.revisions.clear();
            s.dirty = null;
            s.linked = null;
            s.clean = config.type() == VolumeType.ORIGIN ? Image.empty(config.size()) : null;
        }
    }

    @Override
    public void remove() {
        synchronized (pool) {
            pool.states.remove(config.vid());
        }
    }

    @Override
    public void start() {
        synchronized (pool) {
            FakePool.State s = me();
            switch (config.type()) {
                case ORIGIN -> {
                    if (config.snapshotsDisabled()) {
                        s.revisions.clear();
                        if (s.dirty == null) {
                            s.dirty = requireClean(s);
                            s.clean = null;
                        }
                    } else if (s.dirty == null) {
                        s.dirty = requireClean(s).copy();
                    }
                }
                case SNAPSHOT -> {
                    FakePool.State src = pool.state(config.source());
                    if (src.clean == null) {
                        throw new StoragePoolException(src.dirty != null
                                ? "Source volume " + config.source() + " is in use with snapshots disabled"
                                : "Missing image for volume " + config.source());
                    }
                    s.linked = src.clean;
                    s.clean = src.clean;
                    s.dirty = src.clean.withSize(config.size());
                }
                case VOLATILE -> {
                    if (config.ephemeral()) {
                        throw new QubesNotImplementedError("The fake pool cannot encrypt ephemeral volumes");
                    }
                    s.dirty = Image.empty(config.size());
                }
                case SNAPSHOT_AND_ORIGIN -> throw new StoragePoolException("unsupported");
            }
        }
    }

    private Image requireClean(FakePool.State s) {
        if (s.clean == null) {
            throw new StoragePoolException("Missing image for volume " + config.vid());
        }
        return s.clean;
    }

    @Override
    public void stop() {
        synchronized (pool) {
            FakePool.State s = me();
            switch (config.type()) {
                case ORIGIN -> {
                    if (s.dirty != null) {
                        if (config.snapshotsDisabled()) {
                            s.clean = s.dirty;
                        } else {
                            commit(s, s.dirty);
                        }
                        s.dirty = null;
                    }
                }
                case SNAPSHOT, VOLATILE -> {
                    s.dirty = null;
                    s.clean = null;
                    s.linked = null;
                }
                case SNAPSHOT_AND_ORIGIN -> throw new StoragePoolException("unsupported");
            }
        }
    }

    private void commit(FakePool.State s, Image next) {
        addRevision(s, false);
        while (s.revisions.size() > Math.max(config.revisionsToKeep(), 0)) {
            s.revisions.pollFirstEntry();
        }
        s.clean = next;
    }

    private void addRevision(FakePool.State s, boolean always) {
        if ((config.revisionsToKeep() > 0 || always) && s.clean != null) {
            int next = s.revisions.isEmpty() ? 1 : s.revisions.lastKey() + 1;
            s.revisions.put(next, s.clean);
        }
    }

    @Override
    public void verify() {
        synchronized (pool) {
            FakePool.State s = me();
            switch (config.type()) {
                case SNAPSHOT -> {
                    if (pool.state(config.source()).clean == null) {
                        throw new StoragePoolException("Missing image for volume " + config.source());
                    }
                }
                case ORIGIN -> {
                    if (s.clean == null && s.dirty == null) {
                        throw new StoragePoolException("Missing image for volume " + config.vid());
                    }
                }
                default -> { }
            }
        }
    }

    @Override
    public boolean isDirty() {
        synchronized (pool) {
            return config.saveOnStop() && me().dirty != null;
        }
    }

    @Override
    public boolean isOutdated() {
        synchronized (pool) {
            FakePool.State s = me();
            return config.snapOnStart() && s.linked != null && s.linked != pool.state(config.source()).clean;
        }
    }

    @Override
    public List<String> revisions() {
        synchronized (pool) {
            List<String> out = new ArrayList<>();
            me().revisions.keySet().forEach(k -> out.add(Integer.toString(k)));
            return out;
        }
    }

    @Override
    public void revert(String revision) {
        synchronized (pool) {
            FakePool.State s = me();
            if (isDirty()) {
                throw new StoragePoolException("Cannot revert: " + config.vid() + " is not cleanly stopped");
            }
            Integer key;
            try {
                key = Integer.valueOf(revision);
            } catch (NumberFormatException e) {
                key = null;
            }
            if (key == null || !s.revisions.containsKey(key)) {
                throw new QubesVolumeRevisionNotFoundError("Revision " + revision + " of " + config.vid() + " not found");
            }
            Image rev = s.revisions.get(key);
            // Save the current state first, as the file pool does: the new id follows the highest.
            addRevision(s, true);
            s.revisions.remove(key);
            s.clean = rev;
        }
    }

    @Override
    public void resize(long bytes) {
        synchronized (pool) {
            if (bytes < 0) {
                throw new QubesValueError("Volume size must be at least 0");
            }
            if (!config.rw()) {
                throw new StoragePoolException("Cannot resize: " + config.vid() + " is read-only");
            }
            if (config.snapOnStart()) {
                throw new StoragePoolException("Cannot resize: " + config.vid() + " is a snapshot (snap_on_start)");
            }
            if (bytes < size()) {
                throw new StoragePoolException("Cannot shrink " + config.vid());
            }
            FakePool.State s = me();
            if (s.dirty != null) {
                s.dirty = s.dirty.withSize(bytes);
            } else if (s.clean != null) {
                s.clean = s.clean.withSize(bytes);
            }
            config = config.withSize(bytes);
        }
    }

    @Override
    public void importData(InputStream untrustedData, long size) {
        if (size < 0 || size > MAX_IMPORT) {
            throw new QubesValueError("Import size out of range for the fake pool: " + size);
        }
        byte[] data;
        try {
            data = untrustedData.readNBytes((int) size);
            if (data.length < size) {
                throw new StoragePoolException("Import data too short: got " + data.length + " of " + size + " bytes");
            }
            if (untrustedData.read() != -1) {
                throw new StoragePoolException("Import data longer than the declared " + size + " bytes");
            }
        } catch (IOException e) {
            throw new StoragePoolException("Cannot read import data: " + e.getMessage());
        }
        synchronized (pool) {
            requireImportable();
            commit(me(), new Image(data, size));
            config = config.withSize(size);
        }
    }

    private void requireImportable() {
        if (!config.saveOnStop()) {
            throw new QubesNotImplementedError("Cannot import into " + config.vid() + ": it is not save_on_stop");
        }
        if (isDirty()) {
            throw new StoragePoolException("Cannot import into " + config.vid() + ": it is running");
        }
    }

    @Override
    public void importFrom(Volume source) {
        try (InputStream in = source.export()) {
            importData(in, source.size());
        } catch (IOException e) {
            throw new StoragePoolException("Cannot clone: " + e.getMessage());
        }
    }

    @Override
    public InputStream export() {
        synchronized (pool) {
            if (!config.saveOnStop()) {
                throw new QubesNotImplementedError("Cannot export: " + config.vid() + " is not save_on_stop");
            }
            Image img = me().clean;
            if (img == null) {
                throw new StoragePoolException("Cannot export " + config.vid() + ": no committed image");
            }
            InputStream zeros = new InputStream() {
                private long left = img.size() - img.data().length;

                @Override
                public int read() {
                    if (left <= 0) {
                        return -1;
                    }
                    left--;
                    return 0;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left <= 0) {
                        return len == 0 ? 0 : -1;
                    }
                    int n = (int) Math.min(len, left);
                    java.util.Arrays.fill(b, off, off + n, (byte) 0);
                    left -= n;
                    return n;
                }
            };
            return new SequenceInputStream(new ByteArrayInputStream(img.data()), zeros);
        }
    }

    @Override
    public void clear() {
        synchronized (pool) {
            requireImportable();
            commit(me(), Image.empty(size()));
        }
    }

    @Override
    public long usage() {
        synchronized (pool) {
            FakePool.State s = me();
            Image i = s.dirty != null ? s.dirty : s.clean;
            return i == null ? 0 : i.data().length;
        }
    }

    @Override
    public long size() {
        synchronized (pool) {
            FakePool.State s = me();
            Image i = s.dirty != null ? s.dirty : s.clean;
            return i == null ? config.size() : i.size();
        }
    }

    @Override
    public String path() {
        return "";
    }

    @Override
    public void setRevisionsToKeep(int revisions) {
        synchronized (pool) {
            VolumeConfig next = config.withRevisionsToKeep(revisions);
            if (next.snapshotsDisabled() != config.snapshotsDisabled() && me().dirty != null) {
                throw new StoragePoolException("Cannot switch snapshots on or off while " + config.vid() + " is running");
            }
            config = next;
        }
    }

    @Override
    public void setRw(boolean rw) {
        synchronized (pool) {
            requireStopped();
            config = config.withRw(rw);
        }
    }

    @Override
    public void setEphemeral(boolean ephemeral) {
        synchronized (pool) {
            requireStopped();
            if (ephemeral) {
                throw new QubesNotImplementedError("The fake pool cannot encrypt ephemeral volumes");
            }
            config = config.withEphemeral(false);
        }
    }

    private void requireStopped() {
        if (me().dirty != null) {
            throw new StoragePoolException("Volume " + config.vid() + " is running");
        }
    }

    @Override
    public Mounted mount() {
        throw new QubesNotImplementedError("The fake pool cannot mount volumes");
    }
}
