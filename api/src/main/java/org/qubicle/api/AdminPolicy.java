package org.qubicle.api;

import org.qubicle.model.exc.PermissionDenied;

/**
 * qubesd's second policy layer ({@code admin-permission:<method>}): asked before every handler
 * runs, after the request checks. The default allows everything, as a dom0-only socket does.
 * The policy module plugs its admin policy in here.
 */
@FunctionalInterface
public interface AdminPolicy {
    /** Throws {@link PermissionDenied} to refuse. */
    void check(ApiMethod method, String source, String dest, String arg);

    AdminPolicy ALLOW_ALL = (method, source, dest, arg) -> { };
}
