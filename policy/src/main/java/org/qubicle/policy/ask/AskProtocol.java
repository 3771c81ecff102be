package org.qubicle.policy.ask;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.qubicle.policy.json.Json;

/**
 * What goes over the prompt agent's socket, one question per connection:
 * <pre>
 *   daemon -> agent   one JSON line, then half-close:
 *     {"source":"work","source_label":"red","service":"qubes.Filecopy","argument":"",
 *      "targets":["personal","vault"],"default_target":"vault"}
 *   agent -> daemon   one line: "allow:TARGET" or "deny"
 * </pre>
 * The fields follow upstream's {@code policy.Ask} JSON ({@code default_target} is "" for none).
 * Both sides check everything: the agent builds an {@link AskRequest} (which validates), and the
 * daemon accepts only {@code allow:} with one of the offered targets.
 */
public final class AskProtocol {
    /** A question with 1,000 targets of 80 characters stays below this. */
    public static final int MAX_REQUEST_BYTES = 256 * 1024;
    /** {@code allow:} plus a target. */
    public static final int MAX_ANSWER_BYTES = 256;

    private AskProtocol() {
    }

    /** The question as one JSON line, with its newline. */
    public static byte[] encode(AskRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", r.source());
        m.put("source_label", r.sourceLabel());
        m.put("service", r.service());
        m.put("argument", r.argument());
        m.put("targets", new ArrayList<>(r.targets()));
        m.put("default_target", r.defaultTarget() == null ? "" : r.defaultTarget());
        return (Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a question (agent side).
     *
     * @throws IllegalArgumentException when it is not a valid question
     */
    public static AskRequest decode(String untrustedLine) {
        if (untrustedLine.length() > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("question too long");
        }
        if (!(Json.parse(untrustedLine.strip()) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("question is not a JSON object");
        }
        List<String> targets = new ArrayList<>();
        if (!(m.get("targets") instanceof List<?> list)) {
            throw new IllegalArgumentException("targets missing");
        }
        for (Object o : list) {
            targets.add(string(o, "target"));
        }
        String def = string(m.get("default_target"), "default_target");
        return new AskRequest(string(m.get("source"), "source"), string(m.get("source_label"), "source_label"),
                string(m.get("service"), "service"), string(m.get("argument"), "argument"), targets,
                def.isEmpty() ? null : def);
    }

    /** The agent's answer line for a pick (empty = deny), with its newline. */
    public static byte[] answer(Optional<String> pick) {
        return ((pick.isPresent() ? "allow:" + pick.get() : "deny") + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the agent's answer (daemon side): a pick only when it is {@code allow:} an offered target. */
    public static Optional<String> parseAnswer(String untrustedLine, AskRequest r) {
        String line = untrustedLine.strip();
        if (line.startsWith("allow:") && r.offers(line.substring(6))) {
            return Optional.of(line.substring(6));
        }
        return Optional.empty();
    }

    private static String string(Object o, String what) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(what + " is not a string");
        }
        return s;
    }
}
