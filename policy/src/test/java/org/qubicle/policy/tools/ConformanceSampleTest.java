package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.qubicle.policy.json.Json;

/**
 * The whole 300-case sample of the conformance corpus, in-process, through the same code as
 * {@code qrexec-policy-eval --jsonl} ({@link PolicyEval#answer}), compared like compare.py does
 * in {@code --strict} mode.
 */
class ConformanceSampleTest {

    static Path sample() {
        String checkout = System.getProperty("qubicle.checkout");
        if (checkout != null) {
            Path p = Path.of(checkout, "..", "shared", "conformance", "policy", "sample.jsonl");
            if (Files.exists(p)) {
                return p;
            }
        }
        return Path.of("/work/shared/conformance/policy/sample.jsonl");
    }

    @Test
    void allSampleCasesPass() throws IOException {
        assertEquals(300, check(Files.readAllLines(sample())));
    }

    /**
     * 400 random cases (generated policies, systems and requests, stratified by result) whose
     * expected decisions came from running upstream's parser on them; a regression net beyond
     * the sample.
     */
    @Test
    void upstreamDifferentialCasesPass() throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(
                Objects.requireNonNull(getClass().getResourceAsStream("upstream-diff.jsonl.gz")))) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(400, check(text.lines().toList()));
        }
    }

    /** Runs every case line; fails listing the mismatches; returns the number of cases. */
    private static int check(List<String> lines) {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            cases++;
            Map<?, ?> c = (Map<?, ?>) Json.parse(line);
            Map<?, ?> expected = (Map<?, ?>) c.get("expected");
            Map<String, Object> input = new java.util.LinkedHashMap<>();
            for (String k : List.of("id", "system", "policy", "files", "request")) {
                if (c.containsKey(k)) {
                    input.put(k, c.get(k));
                }
            }
            Map<String, Object> actual = PolicyEval.answer(Json.write(input));
            String diff = compare(expected, actual);
            if (diff != null) {
                failures.add(c.get("id") + ": " + diff);
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures:\n" + String.join("\n", failures));
        return cases;
    }

    /** compare.py's rules, with the optional fields required (--strict). */
    private static String compare(Map<?, ?> exp, Map<String, Object> act) {
        Object result = exp.get("result");
        if (!Objects.equals(result, act.get("result"))) {
            return "result " + act.get("result") + " != " + result + " " + exp;
        }
        List<String> fields = switch ((String) result) {
            case "allow" -> List.of("target", "user", "autostart", "notify", "requested_target", "rule", "response");
            case "ask" -> List.of("default_target", "user", "autostart", "notify", "requested_target", "rule");
            case "deny" -> List.of("notify", "reason", "rule");
            default -> List.of("error");
        };
        for (String f : fields) {
            if ((exp.containsKey(f) || !List.of("rule", "reason", "response").contains(f))
                    && !Objects.equals(exp.get(f), act.get(f))) {
                return f + ": " + act.get(f) + " != " + exp.get(f);
            }
        }
        if (result.equals("ask")) {
            var want = new TreeSet<Object>((List<?>) exp.get("targets_for_ask"));
            var got = new TreeSet<Object>((List<?>) act.get("targets_for_ask"));
            if (!want.equals(got) || ((List<?>) act.get("targets_for_ask")).size() != want.size()) {
                return "targets_for_ask: " + got + " != " + want;
            }
        }
        return null;
    }
}
