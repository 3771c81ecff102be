package org.qubicle.storage.linux;

import org.qubicle.model.exc.StoragePoolException;

/**
 * A Linux call failed: the message names the operation and strerror's text, and
 * {@link #errno()} lets a caller tell "busy" from "not mounted" and the like.
 */
public final class SyscallException extends StoragePoolException {
    private final int errno;

    public SyscallException(String what, int errno) {
        super(what + ": " + Sys.strerror(errno));
        this.errno = errno;
    }

    /** The errno the call left. */
    public int errno() {
        return errno;
    }
}
