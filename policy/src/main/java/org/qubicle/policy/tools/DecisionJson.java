package org.qubicle.policy.tools;

import java.util.LinkedHashMap;
import java.util.Map;

import org.qubicle.policy.Decision;
import org.qubicle.policy.RuleRef;

/** A {@link Decision} as the conformance corpus spells it (README "expected"). */
public final class DecisionJson {
    private DecisionJson() {
    }

    /** The decision object: {@code {"result": "allow"|"ask"|"deny"|"error", ...}}. */
    public static Map<String, Object> of(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (d) {
            case Decision.Allowed a -> {
                m.put("result", "allow");
                m.put("target", a.target());
                m.put("user", a.user());
                m.put("autostart", a.autostart());
                m.put("notify", a.notifyUser());
                m.put("requested_target", a.requestedTarget());
                m.put("rule", rule(a.rule()));
                m.put("response", a.response());
            }
            case Decision.AskUser a -> {
                m.put("result", "ask");
                m.put("targets_for_ask", a.targets());
                m.put("default_target", a.defaultTarget());
                m.put("user", a.user());
                m.put("autostart", a.autostart());
                m.put("notify", a.notifyUser());
                m.put("requested_target", a.requestedTarget());
                m.put("rule", rule(a.rule()));
            }
            case Decision.Denied x -> {
                m.put("result", "deny");
                m.put("notify", x.notifyUser());
                m.put("reason", x.reason().label());
                m.put("rule", rule(x.rule()));
            }
            case Decision.Failed f -> {
                m.put("result", "error");
                m.put("error", f.kind().label());
                m.put("detail", f.detail());
            }
        }
        return m;
    }

    static Map<String, Object> rule(RuleRef r) {
        if (r == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", r.file());
        m.put("line", (long) r.line());
        return m;
    }
}
