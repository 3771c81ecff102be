package org.qubicle.api.policy;

import org.qubicle.model.exc.QubesException;
import org.qubicle.policy.admin.PolicyAdminException;

/**
 * A refused {@code policy.*} call as an Admin API exception frame. Its wire name is upstream's
 * Policy Admin exception class ({@code PolicyAdminTokenException}, ...), so a client can tell a
 * stale token from a bad name or an invalid policy.
 */
public final class PolicyAdminError extends QubesException {
    private final String wireName;

    public PolicyAdminError(PolicyAdminException cause) {
        super(cause.getMessage(), cause);
        this.wireName = cause.kind().name();
    }

    @Override
    public String wireName() {
        return wireName;
    }
}
