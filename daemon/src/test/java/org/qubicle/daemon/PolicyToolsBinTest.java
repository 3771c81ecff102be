package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.policy.ask.AskRequest;

/**
 * {@code bin/qubes-policy} and {@code bin/qrexec-policy-agent} as a user runs them, against a
 * daemon on a temporary root. Needs {@code scripts/build.sh} to have filled {@code build/lib}.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class PolicyToolsBinTest extends ApiTestBase {

    record Run(int rc, String out, String err) { }

    private Path bin(String tool) {
        return Path.of(System.getProperty("qubicle.checkout", "..")).toAbsolutePath().normalize().resolve("bin").resolve(tool);
    }

    private ProcessBuilder builder(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin(tool).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("QUBES_ROOT", root.toString());
        return pb;
    }

    private Run run(String stdin, String... args) throws Exception {
        Process p = builder("qubes-policy", args).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    @Test
    void qubesPolicyListsGetsReplacesAndRemoves() throws Exception {
        Run r = run("", "-l");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("90-admin-default\n") && r.out().contains("91-admin-default-deny\n"), r.out());
        r = run("qubes.Test * work personal allow\n", "-r", "30-user");
        assertEquals(0, r.rc(), r.err());
        assertEquals("qubes.Test * work personal allow\n",
                Files.readString(root.resolve("etc/qubes/policy.d/30-user.policy")));
        r = run("", "--get", "30-user");
        assertEquals(new Run(0, "qubes.Test * work personal allow\n", ""), r);
        r = run("qubes.Test * work personal allow bogus\n", "--replace", "30-user");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("Policy change validation failed: "), r.err());
        assertEquals("qubes.Test * work personal allow\n",
                Files.readString(root.resolve("etc/qubes/policy.d/30-user.policy")));
        r = run("", "-l", "-i");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("admin-global-ro\n"), r.out());
        r = run("mgmt @tag:managed allow,target=dom0\n", "-r", "include/admin-local-rwx");
        assertEquals(0, r.rc(), r.err());
        r = run("", "-g", "-i", "admin-local-rwx");
        assertEquals(new Run(0, "mgmt @tag:managed allow,target=dom0\n", ""), r);
        r = run("", "-d", "30-user");
        assertEquals(0, r.rc(), r.err());
        assertFalse(Files.exists(root.resolve("etc/qubes/policy.d/30-user.policy")));
        r = run("", "-g", "30-user");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("Not found: "), r.err());
        assertEquals(2, run("", "-g", "../x").rc(), "a '/' is a usage error");
        assertEquals(2, run("", "-g").rc(), "a file name is needed");
        assertEquals(2, run("", "-l", "x").rc(), "list takes no name");
        assertEquals(2, run("", "-g", "-d", "x").rc(), "one action at a time");
    }

    @Test
    void theTerminalAgentAnswersAsTheUserTypes() throws Exception {
        Process agent = builder("qrexec-policy-agent").start();
        try {
            Path socket = root.resolve("var/run/qubes/policy-agent.sock");
            // The socket file appears at bind, a moment before listen: wait for the agent's word.
            java.io.BufferedReader err = new java.io.BufferedReader(
                    new java.io.InputStreamReader(agent.getErrorStream(), StandardCharsets.UTF_8));
            String line = err.readLine();
            assertEquals("qrexec-policy-agent: listening on " + socket, line);
            AskRequest q = new AskRequest("work", "blue", "qubes.Filecopy", "", List.of("personal", "vault"), null);
            OutputStream typed = agent.getOutputStream();
            typed.write("2\n".getBytes(StandardCharsets.US_ASCII));
            typed.flush();
            assertEquals(Optional.of("vault"), daemon.policy().askAgent().ask(q));
            typed.write("n\n".getBytes(StandardCharsets.US_ASCII));
            typed.flush();
            assertEquals(Optional.empty(), daemon.policy().askAgent().ask(q));
            typed.write("personal\n".getBytes(StandardCharsets.US_ASCII));
            typed.flush();
            assertEquals(Optional.of("personal"), daemon.policy().askAgent().ask(q));
            agent.destroy();
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS));
            assertFalse(Files.exists(socket), "the agent removes its socket when it stops");
            assertEquals(Optional.empty(), daemon.policy().askAgent().ask(q), "no agent: deny");
        } finally {
            agent.destroyForcibly();
            agent.waitFor();
        }
    }
}
