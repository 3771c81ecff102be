package org.qubicle.policy.ask;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Who answers an {@code ask} rule: the user, through a prompt agent. The daemon's qrexec call
 * path calls {@link #ask} after {@link org.qubicle.policy.PolicyEngine#evaluate} gave an
 * {@link org.qubicle.policy.Decision.AskUser}, then turns a pick into the final answer with
 * {@link org.qubicle.policy.Policy#confirmAsk}:
 *
 * <pre>{@code
 * case Decision.AskUser a -> {
 *     Optional<String> pick = agent.ask(AskRequest.of(request, a, sourceLabel));
 *     Decision d = pick.isEmpty() ? null              // deny (already notified when no agent)
 *             : engine.policy().confirmAsk(info, request, a, pick.get());
 * }
 * }</pre>
 *
 * <p>{@link #ask} blocks until the user answers or the agent's timeout passes, so it must not
 * be called while holding the system lock. Implementations return only a member of
 * {@link AskRequest#targets()}; anything else they receive is a deny.
 */
@FunctionalInterface
public interface AskAgent {

    /**
     * Asks the user. Empty means deny: the user refused, did not answer in time, or no agent
     * is running (which the implementation reports as a notification).
     */
    Optional<String> ask(AskRequest request);

    /** Denies every question (no prompt configured). */
    AskAgent DENY_ALL = r -> Optional.empty();

    /** The socket a prompt agent listens on under {@code root}: {@code var/run/qubes/policy-agent.sock}. */
    static Path socketUnder(Path root) {
        return root.resolve("var/run/qubes/policy-agent.sock");
    }

    /**
     * The agent listening on {@code socket} (see {@link SocketAskAgent}); with no agent there,
     * {@code onNoAgent} is told and the question is denied.
     */
    static AskAgent socket(Path socket, java.time.Duration timeout, java.util.function.Consumer<AskRequest> onNoAgent) {
        return new SocketAskAgent(socket, timeout, onNoAgent);
    }
}
