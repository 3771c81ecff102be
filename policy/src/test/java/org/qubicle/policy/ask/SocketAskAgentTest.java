package org.qubicle.policy.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's side of the prompt agent protocol, against a scripted agent on a real socket. */
class SocketAskAgentTest {
    @TempDir
    Path dir;

    static final AskRequest QUESTION = new AskRequest("work", "red", "qubes.Filecopy", "",
            List.of("personal", "vault", "@dispvm:dvm"), "vault");

    /** Serves one question with {@code answer} (null: never answers) and records what it got. */
    private Thread agent(Path socket, Function<String, String> answer, AtomicReference<String> got,
                         CountDownLatch release) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return Thread.ofVirtual().start(() -> {
            try (server; SocketChannel ch = server.accept()) {
                String q = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                got.set(q);
                String a = answer.apply(q);
                if (a == null) {
                    release.await();
                    return;
                }
                ch.write(ByteBuffer.wrap(a.getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException | InterruptedException e) {
                // the test's assertions show what went wrong
            }
        });
    }

    private Optional<String> askWith(String answer) throws Exception {
        Path socket = dir.resolve("agent-" + System.nanoTime() + ".sock");
        AtomicReference<String> got = new AtomicReference<>();
        Thread t = agent(socket, q -> answer, got, new CountDownLatch(0));
        Optional<String> pick = AskAgent.socket(socket, Duration.ofSeconds(30), r -> { }).ask(QUESTION);
        t.join();
        assertEquals(QUESTION, AskProtocol.decode(got.get()), "the agent got the question as sent");
        return pick;
    }

    @Test
    void allowsTheTargetTheUserChose() throws Exception {
        assertEquals(Optional.of("personal"), askWith("allow:personal\n"));
        assertEquals(Optional.of("@dispvm:dvm"), askWith("allow:@dispvm:dvm"));
    }

    @Test
    void deniesOnDenyAndOnAnythingNotOffered() throws Exception {
        assertEquals(Optional.empty(), askWith("deny\n"));
        assertEquals(Optional.empty(), askWith("allow:dom0\n"));
        assertEquals(Optional.empty(), askWith("allow:\n"));
        assertEquals(Optional.empty(), askWith("yes\n"));
        assertEquals(Optional.empty(), askWith(""));
        assertEquals(Optional.empty(), askWith("allow:" + "x".repeat(1000)));
    }

    @Test
    void deniesWhenTheUserDoesNotAnswerInTime() throws Exception {
        Path socket = dir.resolve("slow.sock");
        CountDownLatch release = new CountDownLatch(1);
        Thread t = agent(socket, q -> null, new AtomicReference<>(), release);
        Optional<String> pick = AskAgent.socket(socket, Duration.ofMillis(300), r -> { }).ask(QUESTION);
        release.countDown();
        t.join();
        assertEquals(Optional.empty(), pick);
    }

    @Test
    void noAgentMeansDenyAndANotification() throws Exception {
        List<AskRequest> told = new ArrayList<>();
        AskAgent agent = AskAgent.socket(dir.resolve("none.sock"), Duration.ofSeconds(5), told::add);
        assertEquals(Optional.empty(), agent.ask(QUESTION));
        assertEquals(List.of(QUESTION), told);
        // A stale socket file with nobody listening is the same.
        Path stale = dir.resolve("stale.sock");
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(stale));
        s.close();
        assertTrue(Files.exists(stale));
        assertEquals(Optional.empty(), AskAgent.socket(stale, Duration.ofSeconds(5), told::add).ask(QUESTION));
        assertEquals(2, told.size());
    }

    @Test
    void questionsAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new AskRequest("work\u001b[2J", "red", "qubes.A", "", List.of("vault"), null));
        assertThrows(IllegalArgumentException.class,
                () -> new AskRequest("work", "red", "qubes.A", "", List.of(), null));
        assertThrows(IllegalArgumentException.class,
                () -> new AskRequest("work", "red", "qubes.A", "", List.of("vault"), "personal"));
        assertThrows(IllegalArgumentException.class,
                () -> new AskRequest("work", "red", "qubes.A", "a b", List.of("vault"), null));
        assertThrows(IllegalArgumentException.class, () -> AskProtocol.decode("{\"source\": 1}"));
        assertThrows(IllegalArgumentException.class, () -> AskProtocol.decode("[]"));
    }
}
