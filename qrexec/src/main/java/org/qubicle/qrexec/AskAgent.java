package org.qubicle.qrexec;

import java.util.List;
import java.util.Optional;

/**
 * Asks the user which target a qrexec call may go to, for a policy {@code ask} (Qubes'
 * {@code policy.Ask} through qrexec-policy-agent). The daemon calls it on the call's own
 * virtual thread and waits; an implementation may block until the user answers.
 */
@FunctionalInterface
public interface AskAgent {
    /**
     * @param source the calling qube
     * @param service the service name
     * @param arg the argument with its leading {@code +} ({@code +} alone: none)
     * @param targets the choices the policy offers, sorted
     * @param defaultTarget the preselected choice, or null
     * @return the chosen target (one of {@code targets}), or empty to refuse the call
     */
    Optional<String> ask(String source, String service, String arg, List<String> targets, String defaultTarget);
}
