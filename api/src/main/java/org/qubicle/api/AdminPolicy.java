package org.qubicle.api;

import org.qubicle.model.exc.PermissionDenied;

/**
 * qubesd's second policy layer ({@code admin-permission:<method>}): asked before every handler
 * runs, after the request checks. The default allows everything, as a dom0-only socket does.
 * The policy module's implementation ({@code org.qubicle.api.policy.QubesAdminPolicy}) asks the
 * qrexec policy whether the calling qube may call {@code admin.X} on the destination.
 */
@FunctionalInterface
public interface AdminPolicy {
    /** Throws {@link PermissionDenied} to refuse. */
    void check(ApiMethod method, String source, String dest, String arg);

    /**
     * Whether {@code source} may see {@code subject} in the result of a listing call: upstream's
     * admin-permission filters for {@code admin.vm.List} (service {@code admin.vm.List}, the
     * call's argument, each listed qube) and {@code admin.Events} (service {@code admin.Events},
     * argument the event name with {@code :} as {@code _}, the event's qube or {@code @adminvm}).
     * Runs under the system lock. The default shows everything.
     */
    default boolean shows(String service, String arg, String source, String subject) {
        return true;
    }

    AdminPolicy ALLOW_ALL = (method, source, dest, arg) -> { };
}
