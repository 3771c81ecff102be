package org.qubicle.api.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.qubicle.api.AdminPolicy;
import org.qubicle.api.MethodTable;
import org.qubicle.api.handlers.PolicyHandlers;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.Notice;
import org.qubicle.policy.Decision;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;
import org.qubicle.policy.admin.PolicyFiles;
import org.qubicle.policy.ask.AskAgent;
import org.qubicle.policy.ask.AskRequest;

/**
 * Everything of the qrexec policy one daemon needs, opened once at start:
 * <ul>
 *   <li>{@link #engine()}: {@code ROOT/run/qubes/policy.d} then {@code ROOT/etc/qubes/policy.d},
 *       reloaded by stat before each evaluation (a change applies without a restart);</li>
 *   <li>{@link #systemInfo()}: the model as the policy sees it (call holding the system lock);</li>
 *   <li>{@link #adminPolicy()}: the Admin API's layer for calls from qubes;</li>
 *   <li>{@link #table(MethodTable)}: the method table plus {@code policy.*};</li>
 *   <li>{@link #askAgent()}: the prompt agent at {@code ROOT/var/run/qubes/policy-agent.sock}.
 *       With no agent, an ask is denied, logged, and the event {@code policy-ask-no-agent}
 *       (subject the calling qube, kwargs {@code service}) goes to {@code admin.Events}.</li>
 * </ul>
 *
 * <p>The qrexec call path: {@code d = evaluate(request)}; for an {@link Decision.AskUser},
 * {@code d = resolveAsk(request, ask)} <em>without</em> holding the system lock (it waits for
 * the user), which gives the final {@link Decision.Allowed} or {@link Decision.Denied}.
 */
public final class PolicyServices {
    /** How long the agent has for the user's answer; as long as qrexec's default timeout. */
    public static final Duration ASK_TIMEOUT = Duration.ofSeconds(60);

    private final Qubes app;
    private final PolicyEngine engine;
    private final ModelSystemInfo info;
    private final PolicyFiles files;
    private final QubesAdminPolicy adminPolicy;
    private final AskAgent askAgent;

    private PolicyServices(Qubes app, Path root, Duration askTimeout) {
        this.app = app;
        Path etc = root.resolve("etc/qubes/policy.d");
        Path run = root.resolve("run/qubes/policy.d");
        this.engine = PolicyEngine.open(List.of(run, etc));
        this.info = ModelSystemInfo.watch(app);
        this.files = new PolicyFiles(etc, root.resolve("etc/qubes-rpc/policy"), engine::reload);
        this.adminPolicy = new QubesAdminPolicy(app, engine, info);
        this.askAgent = AskAgent.socket(AskAgent.socketUnder(root), askTimeout, this::noAgent);
    }

    /**
     * Opens the policy under {@code root}: creates the policy directories; a fresh
     * {@code etc/qubes/policy.d} (no {@code .policy} file yet) gets the default admin policy,
     * see {@link AdminPolicyDefaults}.
     */
    public static PolicyServices open(Qubes app, Path root, MethodTable methods) throws IOException {
        return open(app, root, methods, isFresh(root));
    }

    /**
     * As {@link #open(Qubes, Path, MethodTable)}, told whether the policy was fresh: the daemon
     * asks {@link #isFresh} before the qrexec side writes its own defaults, and the missing
     * default files are then added beside them.
     */
    public static PolicyServices open(Qubes app, Path root, MethodTable methods, boolean installDefaults)
            throws IOException {
        return open(app, root, methods, installDefaults, ASK_TIMEOUT);
    }

    /** As above, with the agent's answer timeout. */
    public static PolicyServices open(Qubes app, Path root, MethodTable methods, boolean installDefaults,
                                      Duration askTimeout) throws IOException {
        Path etc = root.resolve("etc/qubes/policy.d");
        Files.createDirectories(etc.resolve("include"));
        if (installDefaults) {
            AdminPolicyDefaults.installMissing(etc, methods);
        }
        Files.createDirectories(root.resolve("run/qubes/policy.d"));
        return new PolicyServices(app, root, askTimeout);
    }

    /** Whether {@code ROOT/etc/qubes/policy.d} has no {@code .policy} file (a new system). */
    public static boolean isFresh(Path root) throws IOException {
        Path etc = root.resolve("etc/qubes/policy.d");
        if (!Files.isDirectory(etc)) {
            return true;
        }
        try (var s = Files.list(etc)) {
            return s.noneMatch(p -> p.getFileName().toString().endsWith(".policy"));
        }
    }

    public PolicyEngine engine() {
        return engine;
    }

    public PolicyFiles files() {
        return files;
    }

    public AdminPolicy adminPolicy() {
        return adminPolicy;
    }

    public AskAgent askAgent() {
        return askAgent;
    }

    /** {@code methods} plus the {@code policy.*} calls. */
    public MethodTable table(MethodTable methods) {
        return PolicyHandlers.extend(methods, files);
    }

    /** The system as the policy sees it now (takes the system lock briefly). */
    public SystemInfo systemInfo() {
        synchronized (app.lock()) {
            return info.get();
        }
    }

    /**
     * Evaluates a qrexec call against the current policy files (reloaded when changed). Takes
     * the system lock for the system view; evaluation itself is microseconds.
     */
    public Decision evaluate(Request request) {
        SystemInfo now = systemInfo();
        return engine.evaluate(now, request);
    }

    /**
     * Settles an ask: asks the prompt agent (blocking until the user answers or the timeout;
     * never call it holding the system lock), then turns the pick into the final decision with
     * {@link org.qubicle.policy.Policy#confirmAsk}: {@link Decision.Allowed} for the chosen
     * target, or {@link Decision.Denied} (reason {@code REFUSED} when the user said no, did not
     * answer, or no agent runs).
     */
    public Decision resolveAsk(Request request, Decision.AskUser ask) {
        QubeInfo source = systemInfo().get(request.source());
        String label = source == null || source.label() == null ? "" : source.label();
        AskRequest question;
        try {
            question = AskRequest.of(request, ask, label);
        } catch (IllegalArgumentException e) {
            return new Decision.Denied(true, Decision.DenyReason.REFUSED, ask.rule(), "ask not shown: " + e.getMessage());
        }
        java.util.Optional<String> pick = askAgent.ask(question);
        if (pick.isEmpty()) {
            return new Decision.Denied(true, Decision.DenyReason.REFUSED, ask.rule(),
                    "ask for " + question.serviceAndArg() + " refused, unanswered or without an agent");
        }
        return engine.policy().confirmAsk(systemInfo(), request, ask, pick.get());
    }

    /**
     * The qrexec call path's ask hook ({@code org.qubicle.qrexec.AskAgent}'s shape): asks the
     * prompt agent, with the source's label from the system view. Blocks; call without the
     * system lock.
     *
     * @param argument the argument with its leading {@code +} ({@code +} alone: none)
     */
    public java.util.Optional<String> ask(String source, String service, String argument, List<String> targets,
                                          String defaultTarget) {
        QubeInfo q = systemInfo().get(source);
        String label = q == null || q.label() == null ? "" : q.label();
        AskRequest question;
        try {
            question = new AskRequest(source, label, service,
                    argument.startsWith("+") ? argument.substring(1) : argument, targets, defaultTarget);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
        return askAgent.ask(question);
    }

    private void noAgent(AskRequest r) {
        synchronized (app.lock()) {
            app.events().fire(Notice.of(r.source(), "policy-ask-no-agent", "service", r.serviceAndArg()));
        }
    }
}
