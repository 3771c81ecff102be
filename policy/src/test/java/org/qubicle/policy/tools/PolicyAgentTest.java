package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.policy.ask.AskAgent;
import org.qubicle.policy.ask.AskRequest;
import picocli.CommandLine;

/** The terminal agent on a real socket, answered through its stdin, asked by the daemon's client. */
class PolicyAgentTest {
    @TempDir
    Path dir;
    Path socket;
    PipedWriter stdin;
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    PolicyAgent agent;
    Thread running;
    AskAgent client;

    static final AskRequest Q = new AskRequest("work", "red", "qubes.Filecopy", "doc",
            List.of("personal", "vault"), "vault");

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("policy-agent.sock");
        stdin = new PipedWriter();
        agent = new PolicyAgent(new BufferedReader(new PipedReader(stdin)),
                new PrintStream(screen, true, StandardCharsets.UTF_8));
        running = Thread.ofVirtual().start(
                () -> new CommandLine(agent).execute("--socket", socket.toString()));
        while (!Files.exists(socket)) {
            Thread.sleep(10);
        }
        client = AskAgent.socket(socket, Duration.ofSeconds(30), r -> { });
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        stdin.close();
        running.join();
    }

    private Optional<String> answer(String line) throws Exception {
        stdin.write(line + "\n");
        stdin.flush();
        return client.ask(Q);
    }

    @Test
    void showsTheQuestionAndAllowsTheChosenTarget() throws Exception {
        assertEquals(Optional.of("personal"), answer("1"));
        String shown = screen.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("qube 'work' (label red) asks to call qubes.Filecopy+doc"), shown);
        assertTrue(shown.contains("1) personal") && shown.contains("2) vault  (default)"), shown);
        assertEquals(Optional.of("vault"), answer("vault"));
        assertEquals(Optional.of("vault"), answer(""), "Enter takes the default");
    }

    @Test
    void deniesOnNoAndOnAnythingElse() throws Exception {
        assertEquals(Optional.empty(), answer("n"));
        assertEquals(Optional.empty(), answer("3"));
        assertEquals(Optional.empty(), answer("dom0"));
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("denied"));
        // Without a default, Enter denies.
        stdin.write("\n");
        stdin.flush();
        assertEquals(Optional.empty(), client.ask(new AskRequest("work", "", "qubes.A", "", List.of("vault"), null)));
    }

    @Test
    void aSecondAgentIsRefusedWhileTheFirstListens() {
        int rc = new CommandLine(new PolicyAgent(new BufferedReader(new java.io.StringReader("")),
                new PrintStream(new ByteArrayOutputStream()))).execute("--socket", socket.toString());
        assertEquals(1, rc);
    }
}
