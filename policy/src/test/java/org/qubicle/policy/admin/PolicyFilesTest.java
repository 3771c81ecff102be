package org.qubicle.policy.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.policy.admin.PolicyAdminException.Kind;

class PolicyFilesTest {
    @TempDir
    Path root;
    Path dir;
    PolicyFiles files;
    final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        dir = root.resolve("etc/qubes/policy.d");
        Files.createDirectories(dir.resolve("include"));
        Files.writeString(dir.resolve("50-a.policy"), "qubes.A * work vault allow\n");
        Files.writeString(dir.resolve("60-inc.policy"), "!include-service qubes.B * include/b-rules\n");
        Files.writeString(dir.resolve("include/b-rules"), "work vault allow\n");
        Files.writeString(dir.resolve("README"), "not policy\n");
        files = new PolicyFiles(dir, root.resolve("etc/qubes-rpc/policy"), changes::incrementAndGet);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Kind refused(Runnable r) {
        return assertThrows(PolicyAdminException.class, r::run).kind();
    }

    private String content(boolean include, String name) {
        String got = new String(files.get(include, name), StandardCharsets.UTF_8);
        return got.substring(got.indexOf('\n') + 1);
    }

    private String token(boolean include, String name) {
        String got = new String(files.get(include, name), StandardCharsets.UTF_8);
        return got.substring(0, got.indexOf('\n'));
    }

    @Test
    void listsPolicyFilesWithoutSuffixAndIncludeFilesAsTheyAre() {
        assertEquals("50-a\n60-inc\n", files.list(false));
        assertEquals("b-rules\n", files.list(true));
    }

    @Test
    void getAnswersTheSha256TokenThenTheContent() throws Exception {
        byte[] data = Files.readAllBytes(dir.resolve("50-a.policy"));
        String expected = "sha256:" + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(expected, token(false, "50-a"));
        assertEquals("qubes.A * work vault allow\n", content(false, "50-a"));
        assertEquals("work vault allow\n", content(true, "b-rules"));
        assertEquals(Kind.PolicyAdminFileNotFoundException, refused(() -> files.get(false, "nosuch")));
        assertEquals(Kind.PolicyAdminFileNotFoundException, refused(() -> files.get(false, "README")));
    }

    @Test
    void replaceWithEachTokenKind() throws Exception {
        files.replace(false, "30-user", bytes("new\nqubes.C * work @anyvm deny\n"));
        assertEquals("qubes.C * work @anyvm deny\n", Files.readString(dir.resolve("30-user.policy")));
        assertEquals("rw-rw-r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("30-user.policy"))));
        String t = token(false, "30-user");
        files.replace(false, "30-user", bytes(t + "\nqubes.C * work @anyvm allow target=dom0\n"));
        assertEquals("qubes.C * work @anyvm allow target=dom0\n", content(false, "30-user"));
        files.replace(false, "30-user", bytes("any\n"));
        assertEquals("", content(false, "30-user"));
        assertEquals(3, changes.get());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains("!")).toList(),
                    "no temporary file left");
        }
    }

    @Test
    void staleTokenIsRefusedAndTheFileKept() throws Exception {
        String t = token(false, "50-a");
        files.replace(false, "50-a", bytes(t + "\nqubes.A * work vault deny\n"));
        // A second editor still holding the first token loses.
        assertEquals(Kind.PolicyAdminTokenException,
                refused(() -> files.replace(false, "50-a", bytes(t + "\nqubes.A * work @anyvm allow\n"))));
        assertEquals(Kind.PolicyAdminTokenException, refused(() -> files.remove(false, "50-a", bytes(t))));
        assertEquals("qubes.A * work vault deny\n", Files.readString(dir.resolve("50-a.policy")));
        assertEquals(1, changes.get());
    }

    @Test
    void badTokensAndPayloads() {
        assertEquals(Kind.PolicyAdminTokenException,
                refused(() -> files.replace(false, "50-a", bytes("new\nqubes.A * work vault deny\n"))));
        assertEquals(Kind.PolicyAdminTokenException,
                refused(() -> files.replace(false, "70-x", bytes("sha256:00\nqubes.A * work vault deny\n"))));
        assertEquals(Kind.PolicyAdminProtocolException,
                refused(() -> files.replace(false, "50-a", bytes("md5:abc\nqubes.A * work vault deny\n"))));
        assertEquals(Kind.PolicyAdminProtocolException,
                refused(() -> files.replace(false, "50-a", bytes("any"))));
        assertEquals(Kind.PolicyAdminProtocolException, refused(() -> files.replace(false, "50-a", new byte[0])));
        assertEquals(Kind.PolicyAdminProtocolException, refused(() -> files.remove(false, "50-a", new byte[0])));
        assertEquals(Kind.PolicyAdminProtocolException, refused(() -> files.remove(false, "50-a", bytes("any\n"))));
        assertEquals(Kind.PolicyAdminSyntaxException,
                refused(() -> files.replace(false, "50-a", new byte[] {'a', 'n', 'y', '\n', (byte) 0xff, '\n'})));
        assertEquals(0, changes.get());
    }

    @Test
    void namesThatLeaveTheDirectoryAreRefused() throws Exception {
        for (String bad : List.of("../x", "..", "a/b", "/etc/passwd", ".", "x.policy", "include/b-rules", "a b", "")) {
            Kind k = refused(() -> files.replace(false, bad, bytes("any\n")));
            assertTrue(k == Kind.PolicyAdminInvalidFileNameException || k == Kind.PolicyAdminProtocolException,
                    bad + ": " + k);
            k = refused(() -> files.get(true, bad));
            assertTrue(k == Kind.PolicyAdminInvalidFileNameException || k == Kind.PolicyAdminProtocolException,
                    bad + ": " + k);
        }
        // A symlink that leads out of the directory is refused too.
        Path outside = Files.writeString(root.resolve("secret"), "x\n");
        Files.createSymbolicLink(dir.resolve("include/evil"), outside);
        assertEquals(Kind.PolicyAdminInvalidFilePathException, refused(() -> files.get(true, "evil")));
        assertEquals(Kind.PolicyAdminInvalidFilePathException,
                refused(() -> files.replace(true, "evil", bytes("any\nwork vault allow\n"))));
        assertEquals("x\n", Files.readString(outside));
    }

    @Test
    void aChangeThatBreaksThePolicyIsRefusedAndNothingWritten() throws Exception {
        PolicyAdminException e = assertThrows(PolicyAdminException.class,
                () -> files.replace(false, "50-a", bytes("any\nqubes.A * work vault allow bogus\n")));
        assertEquals(Kind.PolicyAdminSyntaxException, e.kind());
        assertTrue(e.getMessage().startsWith("Policy change validation failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("50-a.policy:1"), e.getMessage());
        assertEquals("qubes.A * work vault allow\n", Files.readString(dir.resolve("50-a.policy")));
        // A new file with an error is not created either.
        assertEquals(Kind.PolicyAdminSyntaxException,
                refused(() -> files.replace(false, "10-new", bytes("new\n@anyvm\n"))));
        assertFalse(Files.exists(dir.resolve("10-new.policy")));
        // An upper-case name breaks the whole policy upstream, so it is refused as a change.
        assertEquals(Kind.PolicyAdminSyntaxException,
                refused(() -> files.replace(false, "30-User", bytes("new\n"))));
        // Removing a file that is still included breaks the policy.
        assertEquals(Kind.PolicyAdminSyntaxException, refused(() -> files.remove(true, "b-rules", bytes("any"))));
        assertTrue(Files.exists(dir.resolve("include/b-rules")));
        // An include file is checked in the context that includes it (legacy 3-column here).
        assertEquals(Kind.PolicyAdminSyntaxException,
                refused(() -> files.replace(true, "b-rules", bytes("any\nqubes.B * work vault allow\n"))));
        assertEquals(0, changes.get());
    }

    @Test
    void removeAndIncludeFiles() throws Exception {
        files.remove(false, "60-inc", bytes(token(false, "60-inc")));
        assertFalse(Files.exists(dir.resolve("60-inc.policy")));
        files.remove(true, "b-rules", bytes("any"));
        assertEquals("", files.list(true));
        assertEquals(Kind.PolicyAdminFileNotFoundException, refused(() -> files.remove(false, "60-inc", bytes("any"))));
        files.replace(true, "new-rules", bytes("new\nwork vault allow\n"));
        assertArrayEquals(bytes("work vault allow\n"), Files.readAllBytes(dir.resolve("include/new-rules")));
        assertEquals(3, changes.get());
    }

    @Test
    void concurrentReplacesWithTheSameTokenLetExactlyOneWin() throws Exception {
        String t = token(false, "50-a");
        int editors = 8;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < editors; i++) {
            String text = "qubes.A * work vault allow\nqubes.E" + i + " * work vault deny\n";
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    files.replace(false, "50-a", bytes(t + "\n" + text));
                    won.incrementAndGet();
                } catch (PolicyAdminException e) {
                    if (e.kind() == Kind.PolicyAdminTokenException) {
                        lost.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(1, won.get());
        assertEquals(editors - 1, lost.get());
        assertTrue(Files.readString(dir.resolve("50-a.policy")).matches("(?s)qubes.A .*\nqubes.E[0-9] .*"));
    }
}
