package org.qubicle.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an {@code ask} without {@code target=} offers: upstream's {@code collect_targets_for_ask}
 * (spec §5.3), done top-down. A string is offered when the first rule whose expansion contains it
 * is an allow or ask rule, which is what upstream's bottom-up add/remove walk computes.
 */
final class AskTargets {
    private AskTargets() {
    }

    /** Marks a token whose expansion crashes upstream (a missing {@code @dispvm:X}). */
    private static final List<String> BROKEN = List.of("\0broken");

    static List<String> collect(List<Rule> rules, SystemInfo info, Request request) {
        Map<String, Boolean> firstVerdict = new HashMap<>(128);
        String source = request.source();
        for (Rule rule : rules) {
            if (!Evaluator.matchesButTarget(rule, info, request)) {
                continue;
            }
            Token redirect = Action.redirect(rule.action());
            List<String> expansion = info.expansions.computeIfAbsent(redirect != null ? redirect : rule.target(),
                    t -> {
                        Set<String> e = expand(t, info);
                        return e == null ? BROKEN : List.copyOf(e);
                    });
            if (expansion == BROKEN) {
                // upstream crashes on @dispvm:X with X missing; the rule is ignored instead
                continue;
            }
            boolean offers = !(rule.action() instanceof Action.Deny);
            for (String t : expansion) {
                firstVerdict.putIfAbsent(t, offers);
            }
        }
        // post-processing in upstream's order: @dispvm, @adminvm, the caller itself, internal qubes
        String dispvm = firstVerdict.getOrDefault("@dispvm", false) ? Matcher.defaultDispvm(info, source) : null;
        QubeInfo self = info.get(source);
        String selfName = source.startsWith("uuid:") ? (self == null ? null : self.name()) : source;
        String selfUuid = source.startsWith("uuid:") ? source : (self == null ? null : "uuid:" + self.uuid());
        Set<String> targets = new HashSet<>(firstVerdict.size() * 2);
        firstVerdict.forEach((t, offered) -> {
            if (offered && !t.equals("@dispvm")) {
                targets.add(t.equals("@adminvm") ? "dom0" : t);
            }
        });
        if (dispvm != null) {
            targets.add("@dispvm:" + dispvm);
        }
        List<String> out = new ArrayList<>(targets.size());
        for (String t : targets) {
            if (t.equals(selfName) || t.equals(selfUuid)) {
                continue;
            }
            QubeInfo q = info.get(t.startsWith("@dispvm:") ? t.substring(8) : t);
            if (q == null || !q.internal()) {
                out.add(t);
            }
        }
        return out;
    }

    /** The strings a token stands for, names rather than uuids; null where upstream crashes. */
    static Set<String> expand(Token token, SystemInfo info) {
        Set<String> out = new LinkedHashSet<>();
        switch (token) {
            case Token.Literal l -> {
                QubeInfo q = info.get(l.text());
                if (q != null) {
                    out.add(l.text().startsWith("uuid:") ? q.name() : l.text());
                }
            }
            case Token.AdminVm a -> out.add("@adminvm");
            case Token.Wildcard w -> everything(info, out, true);
            case Token.AnyVm a -> everything(info, out, false);
            case Token.DefaultVm d -> {
            }
            case Token.TypeVm t -> info.qubes().stream().filter(q -> q.type().equals(t.type()))
                    .forEach(q -> out.add(q.name()));
            case Token.TagVm t -> info.qubes().stream().filter(q -> q.tags().contains(t.tag()))
                    .forEach(q -> out.add(q.name()));
            case Token.DispVm d -> out.add("@dispvm");
            case Token.DispVmTemplate t -> {
                QubeInfo q = info.get(t.value());
                if (q == null) {
                    return null;
                }
                if (q.templateForDispvms()) {
                    out.add("@dispvm:" + (t.value().startsWith("uuid:") ? q.name() : t.value()));
                }
            }
            case Token.DispVmTag g -> info.qubes().stream()
                    .filter(q -> q.templateForDispvms() && q.tags().contains(g.tag()))
                    .forEach(q -> out.add("@dispvm:" + q.name()));
        }
        return out;
    }

    private static void everything(SystemInfo info, Set<String> out, boolean withDom0) {
        for (QubeInfo q : info.qubes()) {
            if (withDom0 || !Matcher.isDom0(q.name())) {
                out.add(q.name());
            }
            if (q.templateForDispvms()) {
                out.add("@dispvm:" + q.name());
            }
        }
        out.add("@dispvm");
    }
}
