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

    /**
     * Every string an expansion can yield, numbered, so that expansions are bit sets and the
     * first-verdict walk is a few word operations per rule.
     */
    static final class Universe {
        final String[] strings;
        final Map<String, Integer> index = new HashMap<>();
        final int words;
        /** Memoised expansions; {@link #BROKEN} where upstream crashes. */
        final Map<Token, long[]> expansions = new java.util.concurrent.ConcurrentHashMap<>();

        Universe(SystemInfo info) {
            List<String> all = new ArrayList<>();
            for (QubeInfo q : info.qubes()) {
                all.add(q.name());
                if (q.templateForDispvms()) {
                    all.add("@dispvm:" + q.name());
                }
            }
            all.add("@dispvm");
            all.add("@adminvm");
            strings = all.toArray(String[]::new);
            for (int i = 0; i < strings.length; i++) {
                index.putIfAbsent(strings[i], i);
            }
            words = (strings.length + 63) / 64;
        }

        long[] bits(Token token, SystemInfo info) {
            return expansions.computeIfAbsent(token, t -> {
                Set<String> e = expand(t, info);
                if (e == null) {
                    return BROKEN;
                }
                long[] b = new long[words];
                for (String s : e) {
                    Integer i = index.get(s);
                    if (i != null) {
                        b[i >>> 6] |= 1L << i;
                    }
                }
                return b;
            });
        }
    }

    /** Marks a token whose expansion crashes upstream (a missing {@code @dispvm:X}). */
    private static final long[] BROKEN = new long[0];

    static List<String> collect(List<Rule> rules, SystemInfo info, Request request) {
        Universe u = info.askUniverse();
        long[] decided = new long[u.words];
        long[] offered = new long[u.words];
        String source = request.source();
        for (Rule rule : rules) {
            if (!Evaluator.matchesButTarget(rule, info, request)) {
                continue;
            }
            Token redirect = Action.redirect(rule.action());
            long[] bits = u.bits(redirect != null ? redirect : rule.target(), info);
            if (bits == BROKEN) {
                // upstream crashes on @dispvm:X with X missing; the rule is ignored instead
                continue;
            }
            boolean offers = !(rule.action() instanceof Action.Deny);
            for (int w = 0; w < bits.length; w++) {
                if (offers) {
                    offered[w] |= bits[w] & ~decided[w];
                }
                decided[w] |= bits[w];
            }
        }
        // post-processing in upstream's order: @dispvm, @adminvm, the caller itself, internal qubes
        Set<String> targets = new HashSet<>();
        for (int w = 0; w < offered.length; w++) {
            long word = offered[w];
            while (word != 0) {
                targets.add(u.strings[(w << 6) + Long.numberOfTrailingZeros(word)]);
                word &= word - 1;
            }
        }
        String dispvm = targets.remove("@dispvm") ? Matcher.defaultDispvm(info, source) : null;
        if (targets.remove("@adminvm")) {
            targets.add("dom0");
        }
        QubeInfo self = info.get(source);
        String selfName = source.startsWith("uuid:") ? (self == null ? null : self.name()) : source;
        String selfUuid = source.startsWith("uuid:") ? source : (self == null ? null : "uuid:" + self.uuid());
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
