package org.qubicle.policy;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of evaluating one request. {@link Allowed} and {@link AskUser} say what the daemon
 * should do next; {@link Denied} and {@link Failed} both end as {@code result=deny} on the wire.
 */
public sealed interface Decision {

    /** Whether the user should be notified (of a deny, or of an allow with {@code notify=yes}). */
    boolean notifyUser();

    /**
     * Run the call.
     *
     * @param target where to run it: a qube name, {@code uuid:…}, {@code dom0} or
     *     {@code @dispvm:NAME}
     * @param user the user, null (or "") for the target's default user
     * @param requestedTarget the normalised intended target, reported to the service
     * @param rule the rule that decided
     * @param response the exact text the qrexec policy daemon answers with ({@code \n}-joined)
     */
    record Allowed(String target, String user, boolean autostart, boolean notifyUser,
                   String requestedTarget, RuleRef rule, String response) implements Decision {
        public Allowed {
            Objects.requireNonNull(target);
            Objects.requireNonNull(requestedTarget);
            Objects.requireNonNull(response);
        }
    }

    /**
     * Ask the user to pick one of {@code targets}; the pick is then run as an allow with these
     * options (see {@link Policy#confirmAsk}).
     *
     * @param targets the choices, sorted
     * @param defaultTarget the preselected choice, or null
     */
    record AskUser(List<String> targets, String defaultTarget, String user, boolean autostart,
                   boolean notifyUser, String requestedTarget, RuleRef rule) implements Decision {
        public AskUser {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("ask without targets");
            }
            if (defaultTarget != null && !targets.contains(defaultTarget)) {
                throw new IllegalArgumentException("default target not among targets");
            }
            Objects.requireNonNull(requestedTarget);
        }
    }

    /**
     * Refuse the call.
     *
     * @param rule the rule that decided, or null when none matched
     * @param detail a log line
     */
    record Denied(boolean notifyUser, DenyReason reason, RuleRef rule, String detail) implements Decision {
        public Denied {
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }
    }

    /**
     * Refuse the call because the policy could not be loaded, or the request is malformed.
     *
     * @param kind which of the two
     * @param detail the error text; for a policy error it names file and line
     */
    record Failed(Kind kind, String detail, boolean notifyUser) implements Decision {
        public Failed {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(detail);
        }

        /** What failed. */
        public enum Kind {
            /** The policy cannot be loaded: every call is denied. */
            POLICY,
            /** The intended target is not a valid target. */
            REQUEST;

            /** Lower-case name, as in the conformance corpus. */
            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /** Why a call was denied (the corpus' {@code reason}). */
    enum DenyReason {
        NO_MATCH, DENY_RULE, NO_TARGET, NO_DEFAULT_DISPVM, INVALID_DISPVM_TARGET, AUTOSTART,
        ASK_NO_TARGETS, LOOPBACK,
        /** The user's pick is not among the offered targets. */
        NOT_A_CHOICE,
        /** The user refused an ask, did not answer in time, or no prompt agent runs. */
        REFUSED,
        /** The daemon cannot describe the target (a RemoteVM without relay, a missing disposable base). */
        UNREACHABLE;

        /** Lower-case name, as in the conformance corpus. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
