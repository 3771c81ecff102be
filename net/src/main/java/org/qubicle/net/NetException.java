package org.qubicle.net;

import org.qubicle.model.exc.QubesException;

/**
 * A host network operation failed (a namespace, link or nftables change). Its message names
 * the command and what the tool printed; the daemon reports it as a generic Qubes error.
 */
public final class NetException extends QubesException {
    public NetException(String message) {
        super(message);
    }

    /** Qubes has no such class; clients see the generic base name. */
    @Override
    public String wireName() {
        return "QubesException";
    }
}
