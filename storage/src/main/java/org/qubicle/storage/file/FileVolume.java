package org.qubicle.storage.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.qubicle.model.exc.QubesNotImplementedError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.exc.QubesVolumeRevisionNotFoundError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeType;

/**
 * A volume of the file pool, with file-reflink's start/stop semantics (qubes-model.md
 * 7.3) and one deliberate change for snapshots: instead of copying the source's clean
 * image to a dirty one, a snapshot keeps a hard link to it (as file-reflink does, for the
 * outdated check) and its dirty image is an empty upper layer, so starting copies nothing.
 * The copy-on-write view is assembled at {@link #mount()} ({@link FileMounts}).
 *
 * <p>Revisions are hard links of the committed image: a committed image is never written
 * in place (every change goes through a copy and a rename), so a link costs nothing and is
 * as safe as file-reflink's reflink copy.
 */
final class FileVolume implements Volume {
    private final FilePool pool;
    private final ReentrantLock lock;
    final Layout layout;
    private volatile VolumeConfig config;
    final Precache precache;

    FileVolume(FilePool pool, VolumeConfig config, ReentrantLock lock) {
        this.pool = pool;
        this.config = config;
        this.lock = lock;
        this.layout = pool.layout(config.vid());
        this.precache = new Precache(pool, layout, lock);
    }

    @Override
    public VolumeConfig config() {
        return config.withSize(size());
    }

    VolumeConfig rawConfig() {
        return config;
    }

    FilePool pool() {
        return pool;
    }

    private <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private void locked(Runnable body) {
        locked(() -> {
            body.run();
            return null;
        });
    }

    /** The source's committed image, for a snapshot. */
    Path sourceClean() {
        return pool.layout(config.source()).clean;
    }

    @Override
    public void create() {
        locked(() -> {
            removeAllImages();
            if (config.type() == VolumeType.ORIGIN) {
                FileOps.createSparse(layout.clean, config.size());
                Ext4.mkfs(layout.clean, false);
                updatePrecache();
            }
        });
    }

    @Override
    public void remove() {
        locked(() -> {
            FileMounts.unmountAll(this);
            removeAllImages();
            try {
                Files.deleteIfExists(layout.dir());
            } catch (IOException e) {
                // Not empty: another volume of the same qube, or firewall.xml, still lives there.
            }
        });
    }

    private void removeAllImages() {
        layout.incomplete().forEach(FileOps::remove);
        layout.revisions().forEach(r -> FileOps.remove(r.path()));
        FileOps.remove(layout.clean);
        FileOps.remove(layout.dirty);
        precache.drop();
    }

    @Override
    public void start() {
        locked(() -> {
            layout.incomplete().forEach(FileOps::remove);
            switch (config.type()) {
                case ORIGIN -> startOrigin();
                case SNAPSHOT -> startSnapshot();
                case VOLATILE -> startVolatile();
                case SNAPSHOT_AND_ORIGIN -> throw bothFlags();
            }
        });
    }

    private void startOrigin() {
        if (config.snapshotsDisabled()) {
            layout.revisions().forEach(r -> FileOps.remove(r.path()));
            precache.drop();
            if (!Files.exists(layout.dirty)) {
                FileOps.rename(layout.clean, layout.dirty);
            }
        } else if (!Files.exists(layout.dirty)) {
            requireExists(layout.clean);
            if (!precache.takeAsDirty()) {
                FileOps.copy(layout.clean, layout.dirty);
            }
        }
        // else: a crash left the running state; reuse it, discard nothing (file-reflink).
    }

    private void startSnapshot() {
        // A stale view from a crash is rebuilt: snapshots never carry state across starts.
        FileMounts.unmountAll(this);
        Path src = sourceClean();
        if (!Files.exists(src)) {
            Path srcDirty = pool.layout(config.source()).dirty;
            if (Files.exists(srcDirty)) {
                throw new StoragePoolException("Source volume " + config.source()
                        + " is in use with snapshots disabled (revisions_to_keep=-1); stop it first");
            }
            throw new StoragePoolException("Missing image file " + src + " for volume " + config.vid());
        }
        FileOps.hardlink(src, layout.clean);
        pool.blanks().makeThrowaway(layout.dirty, config.size());
    }

    private void startVolatile() {
        if (config.ephemeral()) {
            throw new QubesNotImplementedError("The file pool cannot encrypt ephemeral volumes ("
                    + config.vid() + "); set ephemeral to False");
        }
        FileMounts.unmountAll(this);
        pool.blanks().makeThrowaway(layout.dirty, config.size());
    }

    @Override
    public void stop() {
        locked(() -> {
            FileMounts.unmountAll(this);
            switch (config.type()) {
                case ORIGIN -> {
                    if (Files.exists(layout.dirty)) {
                        if (config.snapshotsDisabled()) {
                            FileOps.rename(layout.dirty, layout.clean);
                        } else {
                            commit(layout.dirty);
                        }
                    }
                }
                case SNAPSHOT -> {
                    FileOps.remove(layout.dirty);
                    FileOps.remove(layout.clean);
                }
                case VOLATILE -> FileOps.remove(layout.dirty);
                case SNAPSHOT_AND_ORIGIN -> throw bothFlags();
            }
        });
    }

    /** The current state becomes a revision, old ones are pruned, {@code from} becomes current. */
    void commit(Path from) {
        addRevision(false);
        prune(config.revisionsToKeep());
        FileOps.fsync(from);
        FileOps.rename(from, layout.clean);
        updatePrecache();
    }

    /** After every change of the committed image, as file-reflink's _update_precache. */
    private void updatePrecache() {
        if (config.saveOnStop() && !config.snapshotsDisabled()) {
            precache.refresh();
        } else {
            precache.drop();
        }
    }

    private void addRevision(boolean always) {
        if ((config.revisionsToKeep() <= 0 && !always) || !Files.exists(layout.clean)) {
            return;
        }
        Instant time;
        try {
            time = Files.getLastModifiedTime(layout.clean).toInstant();
        } catch (IOException e) {
            throw FileOps.fail("stat " + layout.clean, e);
        }
        FileOps.hardlink(layout.clean, layout.revisionPath(layout.nextRevision(), time));
    }

    private void prune(int keep) {
        List<Layout.Revision> revs = layout.revisions();
        for (int i = 0; i < revs.size() - Math.max(keep, 0); i++) {
            FileOps.remove(revs.get(i).path());
        }
    }

    @Override
    public void verify() {
        Path img = switch (config.type()) {
            case SNAPSHOT -> sourceClean();
            case ORIGIN -> Files.exists(layout.dirty) ? layout.dirty : layout.clean;
            case VOLATILE -> null;
            case SNAPSHOT_AND_ORIGIN -> throw bothFlags();
        };
        if (img != null) {
            requireExists(img);
        }
    }

    private void requireExists(Path img) {
        if (!Files.exists(img)) {
            throw new StoragePoolException("Missing image file " + img + " for volume " + config.vid());
        }
    }

    @Override
    public boolean isDirty() {
        return config.saveOnStop() && Files.exists(layout.dirty);
    }

    @Override
    public boolean isOutdated() {
        if (!config.snapOnStart()) {
            return false;
        }
        String own = FileOps.inodeKey(layout.clean);
        return own != null && !own.equals(FileOps.inodeKey(sourceClean()));
    }

    @Override
    public List<String> revisions() {
        return layout.revisions().stream().map(Layout.Revision::id).toList();
    }

    @Override
    public void revert(String revision) {
        locked(() -> {
            if (isDirty()) {
                throw new StoragePoolException("Cannot revert: " + config.vid() + " is not cleanly stopped");
            }
            Path rev = layout.revisions().stream()
                    .filter(r -> r.id().equals(revision))
                    .findFirst()
                    .orElseThrow(() -> new QubesVolumeRevisionNotFoundError(
                            "Revision " + revision + " of " + config.vid() + " not found"))
                    .path();
            // Always keep the current state, even with revisions_to_keep=0: revert never loses data.
            addRevision(true);
            FileOps.rename(rev, layout.clean);
            updatePrecache();
        });
    }

    @Override
    public void resize(long bytes) {
        locked(() -> FileResize.resize(this, bytes));
    }

    void resized(long bytes) {
        config = config.withSize(bytes);
    }

    /** The committed image was replaced outside a commit (resize). */
    void committedChanged() {
        updatePrecache();
    }

    @Override
    public void importData(InputStream untrustedData, long size) {
        locked(() -> {
            requireImportable("import data");
            if (size < 0) {
                throw new QubesValueError("Import size must be at least 0");
            }
            boolean ok = false;
            try {
                ImportWriter.write(untrustedData, layout.importing, size);
                commit(layout.importing);
                ok = true;
            } finally {
                if (!ok) {
                    FileOps.remove(layout.importing);
                }
            }
            config = config.withSize(size);
        });
    }

    @Override
    public void importFrom(Volume source) {
        if (!(source instanceof FileVolume src)) {
            try (InputStream in = source.export()) {
                importData(in, source.size());
            } catch (IOException e) {
                throw FileOps.fail("clone from " + source.config().vid(), e);
            }
            return;
        }
        locked(() -> {
            requireImportable("clone into");
            Path from = src.exportPath();
            boolean ok = false;
            try {
                FileOps.copy(from, layout.importing);
                commit(layout.importing);
                ok = true;
            } finally {
                if (!ok) {
                    FileOps.remove(layout.importing);
                }
            }
            config = config.withSize(size());
        });
    }

    private void requireImportable(String what) {
        if (!config.saveOnStop()) {
            throw new QubesNotImplementedError("Cannot " + what + " " + config.vid() + ": it is not save_on_stop");
        }
        if (isDirty()) {
            throw new StoragePoolException("Cannot " + what + " " + config.vid() + ": it is running");
        }
    }

    /** The clean image to read; refused where Qubes refuses export. */
    Path exportPath() {
        if (!config.saveOnStop()) {
            throw new QubesNotImplementedError("Cannot export: " + config.vid() + " is not save_on_stop");
        }
        if (!Files.exists(layout.clean)) {
            if (config.snapshotsDisabled() && Files.exists(layout.dirty)) {
                throw new StoragePoolException("Cannot export " + config.vid()
                        + ": it is in use with snapshots disabled (revisions_to_keep=-1)");
            }
            requireExists(layout.clean);
        }
        return layout.clean;
    }

    @Override
    public InputStream export() {
        Path p = exportPath();
        try {
            // Commits replace the clean name by rename, so this open file stays one consistent image.
            return Files.newInputStream(p);
        } catch (IOException e) {
            throw FileOps.fail("export " + config.vid(), e);
        }
    }

    @Override
    public void clear() {
        locked(() -> {
            requireImportable("clear");
            long size = size();
            boolean ok = false;
            try {
                // Zeros of the same size, as Qubes' Clear imports; mount() formats it again.
                FileOps.createSparse(layout.importing, size);
                commit(layout.importing);
                ok = true;
            } finally {
                if (!ok) {
                    FileOps.remove(layout.importing);
                }
            }
        });
    }

    @Override
    public long usage() {
        return Files.exists(layout.dirty) ? FileOps.allocated(layout.dirty) : FileOps.allocated(layout.clean);
    }

    @Override
    public long size() {
        for (Path p : List.of(layout.dirty, layout.clean)) {
            try {
                return Files.size(p);
            } catch (IOException e) {
                // next
            }
        }
        return config.size();
    }

    @Override
    public String path() {
        return layout.dirty.toString();
    }

    @Override
    public void setRevisionsToKeep(int revisions) {
        locked(() -> {
            VolumeConfig next = config.withRevisionsToKeep(revisions);
            if (next.snapshotsDisabled() != config.snapshotsDisabled() && Files.exists(layout.dirty)) {
                throw new StoragePoolException("Cannot switch snapshots on or off while " + config.vid() + " is running");
            }
            config = next;
        });
    }

    @Override
    public void setRw(boolean rw) {
        locked(() -> {
            requireStopped("change rw of");
            config = config.withRw(rw);
        });
    }

    @Override
    public void setEphemeral(boolean ephemeral) {
        locked(() -> {
            requireStopped("change ephemeral of");
            if (ephemeral) {
                throw new QubesNotImplementedError("The file pool cannot encrypt ephemeral volumes");
            }
            config = config.withEphemeral(false);
        });
    }

    private void requireStopped(String what) {
        if (Files.exists(layout.dirty)) {
            throw new StoragePoolException("Cannot " + what + " " + config.vid() + " while it is running");
        }
    }

    /** Unmounts this volume's directory and layers, under its lock. */
    void unmount() {
        locked(() -> FileMounts.unmountAll(this));
    }

    @Override
    public Mounted mount() {
        return locked(() -> FileMounts.mount(this));
    }

    private StoragePoolException bothFlags() {
        return new StoragePoolException("Volume " + config.vid()
                + ": the file pool refuses snap_on_start together with save_on_stop");
    }
}
