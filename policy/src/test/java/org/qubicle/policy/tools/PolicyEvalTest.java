package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.SystemInfo;
import org.qubicle.policy.json.Json;
import picocli.CommandLine;

class PolicyEvalTest {
    @TempDir
    Path dir;

    private static SystemInfo system() {
        return new SystemInfo(List.of(QubeInfo.of("dom0", "AdminVM", SystemInfo.DOM0_UUID, List.of()),
                QubeInfo.of("work", "AppVM", "u1", List.of()), QubeInfo.of("vault", "AppVM", "u2", List.of())));
    }

    @Test
    void malformedCasesGetAnErrorLineNotACrash() {
        for (String bad : List.of("{", "[1]", "{\"system\": 1}", "{\"system\": {\"domains\": {}}, \"policy\": 3}")) {
            Map<String, Object> out = PolicyEval.answer(bad);
            assertEquals("error", out.get("result"), bad);
            assertEquals("input", out.get("error"), bad);
        }
    }

    @Test
    void oneCaseLine() {
        String line = Json.write(Map.of("id", "x", "system", system().toJson(),
                "policy", "qubes.Filecopy * work vault allow notify=yes",
                "request", Map.of("service", "qubes.Filecopy", "argument", "+", "source", "work", "target", "vault")));
        Map<String, Object> out = PolicyEval.answer(line);
        assertEquals("allow", out.get("result"));
        assertEquals("vault", out.get("target"));
        assertEquals(true, out.get("notify"));
        assertEquals(Map.of("file", "50-main.policy", "line", 1L), out.get("rule"));
    }

    @Test
    void singleCallAgainstAPolicyDirectory() throws IOException {
        Path pol = dir.resolve("policy.d");
        Files.createDirectories(pol);
        Files.writeString(pol.resolve("50-main.policy"), "qubes.Filecopy * work vault allow\n");
        Path sys = dir.resolve("system.json");
        Files.writeString(sys, Json.write(system().toJson()));
        String[] common = {"--system", sys.toString(), "--policy-dir", pol.toString()};
        assertEquals(0, run(common, "work", "vault", "qubes.Filecopy"));
        assertEquals(1, run(common, "vault", "work", "qubes.Filecopy"));
        assertEquals(2, new CommandLine(new PolicyEval()).execute("work", "vault"));
    }

    private static int run(String[] common, String... call) {
        String[] args = new String[common.length + call.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(call, 0, args, common.length, call.length);
        return new CommandLine(new PolicyEval()).execute(args);
    }
}
