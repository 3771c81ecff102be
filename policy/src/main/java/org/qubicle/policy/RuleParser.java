package org.qubicle.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns one non-comment, non-directive policy line into a {@link Rule} (spec §3). */
final class RuleParser {
    private RuleParser() {
    }

    /** A 5-column line: {@code SERVICE ARGUMENT SOURCE TARGET ACTION [KEY=VALUE...]}. */
    static Rule parse(String line, RuleRef at) {
        List<String> f = PyText.split(line);
        if (f.size() < 5) {
            throw error(at, "wrong number of fields");
        }
        return build(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.subList(5, f.size()), at);
    }

    /**
     * A legacy 3-column line from an {@code !include-service} file, after the {@code $}/{@code ,}
     * substitutions: {@code SOURCE TARGET ACTION [OPTION...]}.
     */
    static Rule parseLegacy(String service, String argument, String line, RuleRef at) {
        List<String> f = PyText.split(line);
        if (f.size() < 3) {
            throw error(at, "wrong number of fields");
        }
        return build(service == null ? "*" : service, argument == null ? "*" : argument,
                f.get(0), f.get(1), f.get(2), f.subList(3, f.size()), at);
    }

    private static Rule build(String service, String argument, String source, String target,
                              String actionWord, List<String> params, RuleRef at) {
        try {
            String svc = service.equals("*") ? null : service;
            String arg = argument.equals("*") ? null : argument;
            Rule.checkServiceAndArgument(svc, arg);
            Token src = Token.parse(source, Token.Context.SOURCE);
            Token tgt = Token.parse(target, Token.Context.TARGET);
            Action action = action(actionWord, params, at);
            return new Rule(svc, arg, src, tgt, action, at);
        } catch (IllegalArgumentException e) {
            throw error(at, e.getMessage());
        }
    }

    private static Action action(String word, List<String> params, RuleRef at) {
        if (!word.equals("allow") && !word.equals("deny") && !word.equals("ask")) {
            throw error(at, "invalid action: " + word);
        }
        Map<String, String> kw = new HashMap<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw error(at, "invalid action parameter syntax: " + PyRepr.str(p));
            }
            String key = p.substring(0, eq);
            if (kw.putIfAbsent(key, p.substring(eq + 1)) != null) {
                throw error(at, "parameter given twice: " + PyRepr.str(key));
            }
        }
        Boolean notify = bool(kw, "notify", at);
        Boolean autostart = bool(kw, "autostart", at);
        List<String> accepted = switch (word) {
            case "deny" -> List.of("notify");
            case "allow" -> List.of("target", "user", "notify", "autostart");
            default -> List.of("target", "default_target", "user", "notify", "autostart");
        };
        if (!accepted.containsAll(kw.keySet())) {
            String name = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            throw error(at, "invalid parameters for action " + name + ": " + PyRepr.list(params));
        }
        Token target = redirect(kw.get("target"));
        return switch (word) {
            case "deny" -> new Action.Deny(notify == null || notify);
            case "allow" -> new Action.Allow(target, kw.get("user"), notify != null && notify,
                    autostart == null || autostart);
            default -> new Action.Ask(target, redirect(kw.get("default_target")), kw.get("user"),
                    notify != null && notify, autostart == null || autostart);
        };
    }

    private static Token redirect(String value) {
        return value == null ? null : Token.parse(value, Token.Context.REDIRECT);
    }

    private static Boolean bool(Map<String, String> kw, String key, RuleRef at) {
        String v = kw.get(key);
        if (v == null) {
            return null;
        }
        if (!v.equals("yes") && !v.equals("no")) {
            throw error(at, PyRepr.str(key) + " is " + PyRepr.str(v) + ", but can be only 'yes' or 'no'");
        }
        return v.equals("yes");
    }

    static PolicySyntaxException error(RuleRef at, String message) {
        return new PolicySyntaxException(at.file(), at.line(), message);
    }
}
