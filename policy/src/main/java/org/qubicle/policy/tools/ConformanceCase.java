package org.qubicle.policy.tools;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.qubicle.policy.Decision;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicySource;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;

/**
 * Runs one case of the conformance corpus: the policy directory is {@code 50-main.policy} plus
 * {@code files}, materialised in memory at {@value #POLICY_DIR}, with no runtime directory.
 */
public final class ConformanceCase {
    /** Where the case's files appear, so absolute includes behave as on a real system. */
    public static final String POLICY_DIR = "/etc/qubes/policy.d";

    private ConformanceCase() {
    }

    /** Evaluates a parsed case object ({@code system}, {@code policy}, {@code files}, {@code request}). */
    public static Decision evaluate(Map<?, ?> untrustedCase) {
        SystemInfo info = SystemInfo.fromJson(untrustedCase.get("system"));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("50-main.policy", text(untrustedCase.get("policy"), "policy"));
        if (untrustedCase.get("files") instanceof Map<?, ?> extra) {
            for (Map.Entry<?, ?> e : extra.entrySet()) {
                files.put(String.valueOf(e.getKey()), text(e.getValue(), "files"));
            }
        }
        Policy policy = Policy.load(PolicySource.memory(POLICY_DIR, files), List.of(POLICY_DIR));
        if (!(untrustedCase.get("request") instanceof Map<?, ?> r)) {
            throw new IllegalArgumentException("case has no request");
        }
        Request request = new Request(text(r.get("service"), "service"), text(r.get("argument"), "argument"),
                text(r.get("source"), "source"), text(r.get("target"), "target"));
        return policy.evaluate(info, request);
    }

    private static String text(Object o, String what) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(what + " is not a string");
        }
        return s;
    }
}
