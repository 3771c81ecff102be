package org.qubicle.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded policy: the ordered rule list of every file, or the error that stopped the load (then
 * every call is {@link Decision.Failed}). Immutable and safe to share between threads.
 *
 * <pre>{@code
 * Policy policy = Policy.load(PolicySource.fileSystem(), List.of("/etc/qubes/policy.d"));
 * Decision d = policy.evaluate(systemInfo, Request.of("work", "@default", "qubes.Filecopy"));
 * }</pre>
 */
public final class Policy {
    private final List<Rule> rules;
    private final PolicyError error;
    private final PolicySource source;
    private final Map<String, String> stamps;
    /** Rules that can match a service (its own and {@code *} ones), in order; built on demand. */
    private final Map<String, List<Rule>> byService = new ConcurrentHashMap<>();

    Policy(List<Rule> rules, PolicyError error, PolicySource source, Map<String, String> stamps) {
        this.rules = List.copyOf(rules);
        this.error = error;
        this.source = source;
        this.stamps = stamps;
    }

    /**
     * Loads the policy directories in the given order (earlier ones win on equal file names, as
     * {@code /run/qubes/policy.d} does over {@code /etc/qubes/policy.d}). Never throws: a
     * problem becomes {@link #error()}.
     *
     * @param dirs absolute directory paths in {@code source}
     */
    public static Policy load(PolicySource source, List<String> dirs) {
        return load(source, dirs, DEFAULT_COMPAT_DIR);
    }

    /** The R4.0 policy directory that {@code !compat-4.0} reads, unless told otherwise. */
    public static final String DEFAULT_COMPAT_DIR = "/etc/qubes-rpc/policy";

    /**
     * As {@link #load(PolicySource, List)}, with {@code !compat-4.0} reading {@code compatDir}
     * (a missing directory is then a load error, as upstream).
     */
    public static Policy load(PolicySource source, List<String> dirs, String compatDir) {
        return PolicyLoader.load(Objects.requireNonNull(source), List.copyOf(dirs), Objects.requireNonNull(compatDir));
    }

    /**
     * Checks the text of one policy file on its own: every line's syntax, with includes checked
     * but not followed. {@code legacy} selects the 3-column format of {@code !include-service}
     * files.
     *
     * @param name the file name used in the errors
     */
    public static List<PolicyError> lint(String name, String text, boolean legacy) {
        return PolicyLoader.lint(name, text, legacy);
    }

    /** Whether {@code name} may name a policy file; any other {@code *.policy} name breaks the whole policy. */
    public static boolean validFileName(String name) {
        return PolicyLoader.validFileName(name);
    }

    /** The rules in evaluation order; empty when the policy has an error. */
    public List<Rule> rules() {
        return rules;
    }

    /** Why the policy could not be loaded, if it could not. */
    public Optional<PolicyError> error() {
        return Optional.ofNullable(error);
    }

    /** Whether any file or directory the load looked at has changed since (stat only, cheap). */
    public boolean isStale() {
        for (Map.Entry<String, String> e : stamps.entrySet()) {
            if (!source.stamp(e.getKey()).equals(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** Evaluates one call against this policy and {@code info}. */
    public Decision evaluate(SystemInfo info, Request request) {
        if (error != null) {
            return new Decision.Failed(Decision.Failed.Kind.POLICY, error.toString(), true);
        }
        List<Rule> candidates = byService.computeIfAbsent(request.service(), this::rulesFor);
        return Evaluator.evaluate(candidates, info, request);
    }

    private List<Rule> rulesFor(String service) {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            if (r.service() == null || r.service().equals(service)) {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Turns the user's pick for an {@link Decision.AskUser} into the final answer. The pick must
     * be one of the offered targets; it then runs with the ask rule's user, autostart and notify,
     * through the same checks as an allow (loopback included), and is not matched against the
     * policy again (spec §5.2 ask step 6).
     */
    public Decision confirmAsk(SystemInfo info, Request request, Decision.AskUser ask, String chosen) {
        if (!ask.targets().contains(chosen)) {
            return new Decision.Denied(true, Decision.DenyReason.NOT_A_CHOICE, ask.rule(),
                    "target " + chosen + " is not a valid choice");
        }
        Rule rule = rules.stream().filter(r -> r.location().equals(ask.rule())).findFirst().orElse(null);
        if (rule == null) {
            return new Decision.Denied(true, Decision.DenyReason.NOT_A_CHOICE, ask.rule(),
                    "the asking rule is gone");
        }
        return Evaluator.granted(rule, info, request, ask.requestedTarget(), chosen, ask.user(),
                ask.autostart(), ask.notifyUser());
    }
}
