package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicySource;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.SystemInfo;
import picocli.CommandLine;

class PolicyGraphTest {
    @TempDir
    Path dir;

    private static SystemInfo system() {
        QubeInfo dvm = new QubeInfo("dvm", List.of(), "AppVM", true, null, null, null, null, null, null, "Halted", "u3", false);
        return new SystemInfo(List.of(QubeInfo.of("dom0", "AdminVM", SystemInfo.DOM0_UUID, List.of()),
                new QubeInfo("work", List.of(), "AppVM", false, "dvm", null, null, "dom0", null, null, "Running", "u1", false),
                QubeInfo.of("vault", "AppVM", "u2", List.of()), dvm));
    }

    private static Policy policy(String text) {
        return Policy.load(PolicySource.memory("/p", Map.of("50-main.policy", text)), List.of("/p"));
    }

    @Test
    void drawsAllowedCallsWithTheirRealTargets() {
        Policy p = policy("qubes.Filecopy * work vault allow\nqubes.Filecopy * @anyvm @anyvm deny\n"
                + "qubes.OpenInVM * work @dispvm allow\nqubes.Gpg * work @default ask default_target=vault\n"
                + "qubes.Gpg * work vault ask\n");
        String dot = PolicyGraph.dot(p, system(), null, false);
        assertEquals("digraph g {\n"
                + "  \"work\" -> \"vault\" [label=\"qubes.Filecopy+\"];\n"
                + "  \"work\" -> \"@dispvm:dvm\" [label=\"qubes.OpenInVM+\"];\n"
                + "}\n", dot);
        String withAsk = PolicyGraph.dot(p, system(), List.of("qubes.Gpg"), true);
        assertTrue(withAsk.contains("\"work\" -> \"vault\" [label=\"qubes.Gpg+\" style=dashed];"), withAsk);
        assertFalse(withAsk.contains("Filecopy"), withAsk);
    }

    @Test
    void commandLineWritesDotAndRendersWithGraphviz() throws IOException {
        Path pol = dir.resolve("policy.d");
        Files.createDirectories(pol);
        Files.writeString(pol.resolve("50-main.policy"), "qubes.Filecopy * work vault allow\n");
        Path sys = dir.resolve("system.json");
        Files.writeString(sys, org.qubicle.policy.json.Json.write(system().toJson()));
        Path out = dir.resolve("g.dot");
        int rc = new CommandLine(new PolicyGraph()).execute("--policy-dir", pol.toString(), "--system", sys.toString(),
                "--output", out.toString());
        assertEquals(0, rc);
        assertTrue(Files.readString(out).contains("\"work\" -> \"vault\""));
        Path png = dir.resolve("g.png");
        rc = new CommandLine(new PolicyGraph()).execute("--policy-dir", pol.toString(), "--system", sys.toString(),
                "--output", png.toString());
        boolean haveDot = java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "dot")));
        if (haveDot) {
            assertEquals(0, rc);
            byte[] head = Files.readAllBytes(png);
            assertEquals((byte) 0x89, head[0]);
            assertEquals('P', head[1]);
        } else {
            assertEquals(1, rc);
            assertFalse(Files.exists(png));
        }
    }
}
