package org.qubicle.policy.ask;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.qubicle.policy.Decision;
import org.qubicle.policy.Request;

/**
 * One question to the user: may {@code source} call {@code service+argument}, and on which of
 * {@code targets}? Built by the daemon from an {@link Decision.AskUser}; every field is checked
 * here, so a prompt can print them without escaping (no control characters can reach a
 * terminal).
 *
 * @param source the calling qube's name
 * @param sourceLabel its label ({@code red}, ...), or "" when unknown
 * @param service the service name, e.g. {@code qubes.Filecopy}
 * @param argument the argument without its {@code +}, "" for none
 * @param targets the choices, as the policy offers them ({@code vault}, {@code @dispvm:dvm}, {@code dom0})
 * @param defaultTarget the preselected choice, or null
 */
public record AskRequest(String source, String sourceLabel, String service, String argument,
                         List<String> targets, String defaultTarget) {
    /** Qube names, {@code @dispvm:NAME}, {@code uuid:...}, labels: short and plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,80}");
    /** As qrexec-daemon sanitises {@code service+arg}. */
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    private static final Pattern ARGUMENT = Pattern.compile("[A-Za-z0-9_.+-]{0,1024}");
    /** More choices than this is not something a person can pick from. */
    public static final int MAX_TARGETS = 1000;

    public AskRequest {
        check("source", source, NAME);
        Objects.requireNonNull(sourceLabel, "sourceLabel");
        if (!sourceLabel.isEmpty()) {
            check("label", sourceLabel, NAME);
        }
        check("service", service, SERVICE);
        check("argument", argument, ARGUMENT);
        targets = List.copyOf(targets);
        if (targets.isEmpty() || targets.size() > MAX_TARGETS) {
            throw new IllegalArgumentException("ask needs 1.." + MAX_TARGETS + " targets, got " + targets.size());
        }
        for (String t : targets) {
            check("target", t, NAME);
        }
        if (defaultTarget != null && !targets.contains(defaultTarget)) {
            throw new IllegalArgumentException("default target not among the targets: " + defaultTarget);
        }
    }

    /** The question for an ask decision of {@code request}. */
    public static AskRequest of(Request request, Decision.AskUser ask, String sourceLabel) {
        return new AskRequest(request.source(), sourceLabel == null ? "" : sourceLabel, request.service(),
                request.argument().substring(1), ask.targets(), ask.defaultTarget());
    }

    /** {@code service+argument} as the user knows it ({@code service} alone without argument). */
    public String serviceAndArg() {
        return argument.isEmpty() ? service : service + "+" + argument;
    }

    /** Whether {@code pick} is one of the offered targets. */
    public boolean offers(String pick) {
        return pick != null && targets.contains(pick);
    }

    private static void check(String what, String value, Pattern pattern) {
        Objects.requireNonNull(value, what);
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + ": " + value.length() + " chars");
        }
    }
}
