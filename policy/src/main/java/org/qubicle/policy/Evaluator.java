package org.qubicle.policy;

import java.util.ArrayList;
import java.util.List;

import org.qubicle.policy.Decision.DenyReason;

/** Evaluates one request against a loaded rule list (spec §5). */
final class Evaluator {
    private Evaluator() {
    }

    /** Thrown for a malformed intended target. */
    static final class RequestException extends Exception {
        final boolean notify;

        RequestException(String message, boolean notifyUser) {
            super(message, null, false, false);
            this.notify = notifyUser;
        }
    }

    /**
     * The intended target as the policy sees it (spec §5.1): unknown names become
     * {@code @default}; keywords a caller may not use are request errors.
     */
    static String normalise(SystemInfo info, String raw) throws RequestException {
        String t = raw.isEmpty() ? "@default" : raw;
        Token token;
        try {
            token = Token.parse(t, Token.Context.INTENDED);
        } catch (IllegalArgumentException e) {
            throw new RequestException("<unknown>:0: " + e.getMessage(), false);
        }
        return switch (token) {
            case Token.Literal l -> info.contains(t) ? t : "@default";
            case Token.DispVmTemplate d -> {
                QubeInfo q = info.get(d.value());
                if (q == null || !q.templateForDispvms()) {
                    throw new RequestException("not a template for dispvm: " + d.value(), true);
                }
                yield t;
            }
            default -> t;
        };
    }

    static boolean matchesButTarget(Rule rule, SystemInfo info, Request request) {
        return (rule.service() == null || rule.service().equals(request.service()))
                && (rule.argument() == null || rule.argument().equals(request.argument()))
                && Matcher.source(info, rule.source(), request.source());
    }

    /** Evaluates {@code request}; {@code rules} may be just those that can match its service. */
    static Decision evaluate(List<Rule> rules, SystemInfo info, Request request) {
        String target;
        try {
            target = normalise(info, request.target());
        } catch (RequestException e) {
            return new Decision.Failed(Decision.Failed.Kind.REQUEST, e.getMessage(), e.notify);
        }
        for (Rule rule : rules) {
            if (matchesButTarget(rule, info, request)
                    && Matcher.target(info, rule.target(), target, request.source())) {
                return switch (rule.action()) {
                    case Action.Deny d -> new Decision.Denied(d.notifyUser(), DenyReason.DENY_RULE,
                            rule.location(), "denied by policy " + rule.location());
                    case Action.Allow a -> allow(rule, a, info, request, target);
                    case Action.Ask a -> ask(rules, rule, a, info, request, target);
                };
            }
        }
        return new Decision.Denied(true, DenyReason.NO_MATCH, null, "no matching rule found");
    }

    private static Decision allow(Rule rule, Action.Allow a, SystemInfo info, Request request, String intended) {
        String t;
        try {
            t = normalise(info, a.target() != null ? a.target().text() : intended);
        } catch (RequestException e) {
            return deny(rule, DenyReason.INVALID_DISPVM_TARGET, e.getMessage());
        }
        if (t.equals("@default")) {
            return deny(rule, DenyReason.NO_TARGET, "allow at " + rule.location()
                    + " but no target is specified by caller or policy");
        }
        if (t.equals("@dispvm")) {
            String dflt = Matcher.defaultDispvm(info, request.source());
            if (dflt == null) {
                return deny(rule, DenyReason.NO_DEFAULT_DISPVM, "allow to @dispvm at " + rule.location()
                        + " but no DispVM base is set for this VM");
            }
            t = "@dispvm:" + dflt;
        } else if (t.equals("@adminvm")) {
            t = "dom0";
        }
        return granted(rule, info, request, intended, t, a.user(), a.autostart(), a.notifyUser());
    }

    /** An allowed target after the autostart and loopback checks, as the daemon answers it. */
    static Decision granted(Rule rule, SystemInfo info, Request request, String intended, String t,
                            String user, boolean autostart, boolean notifyUser) {
        if (!autostart && !Boolean.TRUE.equals(Matcher.runsWithoutAutostart(info, t))) {
            return new Decision.Denied(notifyUser, DenyReason.AUTOSTART, rule.location(),
                    "target " + t + " is denied because it would require autostart");
        }
        if (request.source().equals(t)) {
            return deny(rule, DenyReason.LOOPBACK, "loopback qrexec connection not supported");
        }
        String response = Response.build(info, request, intended, t, user, autostart);
        if (response == null) {
            return deny(rule, DenyReason.UNREACHABLE, "target " + t + " cannot be reached");
        }
        return new Decision.Allowed(t, user, autostart, notifyUser, intended, rule.location(), response);
    }

    private static Decision ask(List<Rule> rules, Rule rule, Action.Ask a, SystemInfo info,
                                Request request, String intended) {
        List<String> targets;
        if (a.target() != null) {
            targets = new ArrayList<>(1);
            targets.add(Matcher.isDom0(a.target().text()) ? "dom0" : a.target().text());
        } else {
            targets = AskTargets.collect(rules, info, request);
        }
        if (!a.autostart()) {
            // An unknown entry crashes upstream; it can never start, so it is dropped.
            targets.removeIf(t -> !Boolean.TRUE.equals(Matcher.runsWithoutAutostart(info, t)));
        }
        if (targets.isEmpty()) {
            return deny(rule, DenyReason.ASK_NO_TARGETS, "ask at " + rule.location()
                    + " but no target is available to choose from");
        }
        String dflt = null;
        if (a.defaultTarget() != null) {
            String d = a.defaultTarget().text();
            if (d.equals("@dispvm")) {
                String base = Matcher.defaultDispvm(info, request.source());
                dflt = base == null ? null : "@dispvm:" + base;
            } else {
                dflt = Matcher.isDom0(d) ? "dom0" : d;
            }
            if (dflt != null && !targets.contains(dflt)) {
                dflt = null;
            }
        }
        targets.sort(null);
        return new Decision.AskUser(targets, dflt, a.user(), a.autostart(), a.notifyUser(), intended,
                rule.location());
    }

    private static Decision.Denied deny(Rule rule, DenyReason reason, String detail) {
        return new Decision.Denied(true, reason, rule.location(), detail);
    }
}
