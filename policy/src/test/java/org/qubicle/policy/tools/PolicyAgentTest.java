package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
    Writer stdin;
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    PolicyAgent agent;
    Thread running;
    final AtomicInteger exit = new AtomicInteger(-1);
    AskAgent client;

    static final AskRequest Q = new AskRequest("work", "red", "qubes.Filecopy", "doc",
            List.of("personal", "vault"), "vault");

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("policy-agent.sock");
        // A real pipe as the agent's stdin: its end is the writer's close, nothing else.
        Pipe pipe = Pipe.open();
        stdin = Channels.newWriter(pipe.sink(), StandardCharsets.UTF_8);
        agent = new PolicyAgent(new BufferedReader(Channels.newReader(pipe.source(), StandardCharsets.UTF_8)),
                new PrintStream(screen, true, StandardCharsets.UTF_8));
        running = Thread.ofPlatform().daemon().name("policy-agent").start(
                () -> exit.set(new CommandLine(agent).execute("--socket", socket.toString())));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (!running.isAlive() || System.nanoTime() > deadline) {
                fail("the agent did not listen on " + socket + " (exit " + exit.get() + ")");
            }
            Thread.sleep(10);
        }
        client = AskAgent.socket(socket, Duration.ofSeconds(30), r -> { });
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        stdin.close();
        running.join(Duration.ofSeconds(30));
        assertEquals(0, exit.get(), "the agent ends when closed");
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
