package org.qubicle.daemon.storage;

import java.nio.file.Path;
import java.util.Objects;
import org.qubicle.driver.RootView;
import org.qubicle.model.Qube;

/**
 * What the lifecycle needs from storage: a qube's root and private directories while it
 * runs, released when it stops, and everything removed for a disposable.
 */
public interface QubeStorage {
    /**
     * The directories a driver binds.
     *
     * @param rootfs     the root file system ({@code /} inside)
     * @param root       how the qube sees it: read-only, writable in place (a template's own
     *                   root), or an overlay whose changes go away
     * @param privateDir the private volume ({@code /rw} inside); holds {@code home}
     */
    record Prepared(Path rootfs, RootView root, Path privateDir) {
        public Prepared {
            Objects.requireNonNull(rootfs, "rootfs");
            Objects.requireNonNull(root, "root");
            Objects.requireNonNull(privateDir, "privateDir");
        }
    }

    /** Verifies, starts and mounts the qube's volumes for a qube whose root is host uid {@code baseUid}. */
    Prepared prepare(Qube q, long baseUid);

    /** The same directories for a qube still running from an earlier daemon (no new start). */
    Prepared adopt(Qube q, long baseUid);

    /** Stops the qube's volumes after its processes are gone (commits what is saved on stop). */
    void release(Qube q);

    /** Removes every file of the qube (a disposable's end, or qube removal). */
    void remove(Qube q);
}
