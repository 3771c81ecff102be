package org.qubicle.storage.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * file-reflink's precache: a copy of the committed image made ahead of time, so that the
 * next start of an origin volume is a rename instead of a copy. On a reflink file system
 * Qubes makes it at commit time for free; here the file system may lack reflinks, so the
 * copy runs on a virtual thread after the commit, off the stop path. The precache carries
 * the committed image's size and mtime; a start uses it only if they still match
 * (file-reflink's test), and the rename into place happens under the volume lock after
 * re-checking, so a commit racing the copy never yields a stale precache.
 */
final class Precache {
    private static final Logger LOG = Logger.getLogger(Precache.class.getName());

    private final FilePool pool;
    private final Layout layout;
    private final ReentrantLock lock;

    Precache(FilePool pool, Layout layout, ReentrantLock lock) {
        this.pool = pool;
        this.layout = layout;
        this.lock = lock;
    }

    /** Drops the precache now (under the lock) and rebuilds it in the background. */
    void refresh() {
        FileOps.remove(layout.precache);
        String stamp = FileOps.stamp(layout.clean);
        if (stamp == null) {
            return;
        }
        pool.background("precache " + layout.base, () -> build(stamp));
    }

    void drop() {
        FileOps.remove(layout.precache);
    }

    private void build(String stamp) {
        Path tmp = FileOps.tmpFor(layout.precache);
        try {
            FileOps.copyUnrenamed(layout.clean, tmp);
            lock.lock();
            try {
                if (stamp.equals(FileOps.stamp(layout.clean)) && !Files.exists(layout.dirty)) {
                    FileOps.setModified(tmp, Files.getLastModifiedTime(layout.clean));
                    FileOps.rename(tmp, layout.precache);
                }
            } finally {
                lock.unlock();
            }
        } catch (Exception e) {
            // Only an optimisation: the next start copies instead.
            LOG.log(Level.FINE, "precache of " + layout.clean + " not made", e);
        } finally {
            FileOps.deleteQuietly(tmp);
        }
    }

    /**
     * Moves a current precache into place as the dirty image; false if there is none or it
     * is stale (then it is removed). Call under the lock.
     */
    boolean takeAsDirty() {
        String want = FileOps.stamp(layout.clean);
        String have = FileOps.stamp(layout.precache);
        if (have == null) {
            return false;
        }
        if (!have.equals(want)) {
            FileOps.remove(layout.precache);
            return false;
        }
        FileOps.rename(layout.precache, layout.dirty);
        return true;
    }
}
