package org.qubicle.policy.admin;

import java.util.Objects;

/**
 * A refused Policy Admin API call. {@link #kind()} is upstream's exception class name
 * ({@code PolicyAdminTokenException}, ...), which the Admin API sends as the exception type so
 * clients can tell the cases apart; the message is worded as upstream's.
 */
public final class PolicyAdminException extends RuntimeException {
    /** Upstream's classes, by the class name sent on the wire. */
    public enum Kind {
        /** The file is not in the state the token says (stale token, {@code new} on an existing file). */
        PolicyAdminTokenException,
        /** No such policy file. */
        PolicyAdminFileNotFoundException,
        /** A malformed request (bad token, missing token line, bad argument). */
        PolicyAdminProtocolException,
        /** The change would make the policy invalid. */
        PolicyAdminSyntaxException,
        /** A name outside {@code [A-Za-z0-9_-]+}. */
        PolicyAdminInvalidFileNameException,
        /** A name that resolves outside the policy directory. */
        PolicyAdminInvalidFilePathException
    }

    private final Kind kind;

    public PolicyAdminException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
    }

    public Kind kind() {
        return kind;
    }
}
