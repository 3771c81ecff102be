package org.qubicle.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.QubesVMAlreadyStartedError;
import org.qubicle.model.exc.QubesVMNotPausedError;
import org.qubicle.model.exc.QubesVMNotRunningError;

/**
 * The one contract every isolation driver keeps. Subclasses give the driver, a way to
 * make a fresh driver object on the same host (a daemon restart), and a leak check.
 */
public abstract class DriverContractTest {
    protected IsolationDriver driver;
    protected Path root;
    private int nextIndex = 7000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path tmp;

    /** The driver under test. */
    protected abstract IsolationDriver newDriver();

    /** Another driver object on the same host, as a restarted daemon makes. */
    protected abstract IsolationDriver restartedDriver();

    /** Root filesystem the qubes boot from. */
    protected abstract Path rootfs() throws IOException;

    protected abstract void beforeQubes();

    protected abstract void assertNothingLeft();

    @BeforeEach
    void setUpDriver() throws IOException {
        // The qube's base uid must be able to traverse to its runtime and private dirs.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        root = tmp.resolve("qubicle-contract");
        Files.createDirectories(root);
        driver = newDriver();
        beforeQubes();
    }

    private final java.util.List<QubeSpec> specs = new java.util.ArrayList<>();

    @AfterEach
    void noLeaks() {
        // A failed assertion must not leave its qube running for the next test.
        IsolationDriver d = driver != null ? driver : restartedDriver();
        for (QubeSpec s : specs) {
            d.reattach(s).ifPresent(d::kill);
        }
        assertNothingLeft();
    }

    protected QubeSpec spec(String name) throws IOException {
        Path priv = root.resolve("private").resolve(name);
        Files.createDirectories(priv.resolve("home/user"));
        privateOwner(priv, nextIndex);
        QubeSpec s = QubeSpec.of(name, nextIndex++, rootfs(), priv, root.resolve("var/run/qubes").resolve(name));
        specs.add(s);
        return s;
    }

    /** Gives the private volume to the qube's range; the fake needs nothing. */
    protected void privateOwner(Path priv, int index) throws IOException {
    }

    protected static Exec.Result run(IsolationDriver d, RunningQube q, ExecSpec e, byte[] stdin) throws Exception {
        return Exec.run(d, q, e, stdin);
    }

    protected static Exec.Result sh(IsolationDriver d, RunningQube q, String user, String script) throws Exception {
        return Exec.sh(d, q, user, script);
    }

    @Test
    void execPassesStdinStdoutStderrAndExitCode() throws Exception {
        RunningQube q = driver.start(spec("contract-io"));
        try {
            assertTrue(driver.isRunning(q));
            Exec.Result r = run(driver, q, ExecSpec.of("user", "sh", "-c",
                    "echo out; echo err >&2; read x; echo \"got $x\"; exit 3"), "hello\n".getBytes());
            assertEquals(3, r.exit());
            assertEquals("out\ngot hello\n", r.outText());
            assertEquals("err\n", r.errText());
            byte[] all = new byte[256 * 4];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) i;
            }
            Exec.Result bin = run(driver, q, ExecSpec.of("root", "cat"), all);
            assertEquals(0, bin.exit());
            assertArrayEquals(all, bin.out());
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
        assertFalse(driver.isRunning(q));
    }

    @Test
    void pathsInsideResolveAsTheQubeSeesThemAndSocketsConnect() throws Exception {
        QubeSpec s = spec("contract-inside");
        Path priv = s.privateDir();
        RunningQube q = driver.start(s);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Made on the host in the private volume, which the qube sees at /rw.
            server.bind(UnixDomainSocketAddress.of(priv.resolve("svc.sock")));
            Files.writeString(priv.resolve("conf"), "skip-service-descriptor = true\n");
            Files.createSymbolicLink(priv.resolve("link.sock"), Path.of("svc.sock"));
            // An absolute symlink names a host directory that holds the socket: inside the
            // qube that path leads nowhere, and it must not lead to the host's file.
            Files.createSymbolicLink(priv.resolve("host"), priv.toAbsolutePath());

            assertEquals(Optional.of(FileKind.SOCKET), driver.lookup(q, "/rw/svc.sock"));
            assertEquals(Optional.of(FileKind.REGULAR), driver.lookup(q, "/rw/conf"));
            assertEquals(Optional.of(FileKind.DIRECTORY), driver.lookup(q, "/rw"));
            assertEquals(Optional.of(FileKind.SYMLINK), driver.lookup(q, "/rw/link.sock"));
            assertEquals(Optional.empty(), driver.lookup(q, "/rw/none"));
            assertEquals(Optional.empty(), driver.lookup(q, "/rw/host/svc.sock"));
            assertEquals(Optional.empty(), driver.lookup(q, "/rw/conf/below"));

            assertEquals("skip", new String(driver.readFile(q, "/rw/conf", 4).orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(Optional.empty(), driver.readFile(q, "/rw/svc.sock", 10));
            assertEquals(Optional.empty(), driver.readFile(q, "/rw/host/conf", 10));
            // Lists, as qrexec looks a service up: the first path that is there, whatever is there.
            assertEquals(Optional.of(new FoundPath("/rw/link.sock", FileKind.SYMLINK)),
                    driver.lookupFirst(q, List.of("/rw/none", "/rw/host/svc.sock", "/rw/link.sock", "/rw/svc.sock")));
            assertEquals(Optional.empty(), driver.lookupFirst(q, List.of("/rw/none", "/rw/conf/below")));
            // ... and the first regular file, past a socket and a directory.
            assertEquals("skip", new String(driver.readFirst(q, List.of("/rw/none", "/rw/svc.sock", "/rw", "/rw/conf",
                    "/rw/other"), 4).orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(Optional.empty(), driver.readFirst(q, List.of("/rw/svc.sock", "/rw/host/conf"), 10));
            assertThrows(IOException.class, () -> driver.connectUnix(q, "/rw/link.sock"));
            assertThrows(IOException.class, () -> driver.connectUnix(q, "/rw/host/svc.sock"));
            assertThrows(IOException.class, () -> driver.connectUnix(q, "/rw/conf"));

            try (SocketChannel c = driver.connectUnix(q, "/rw/svc.sock"); SocketChannel peer = server.accept()) {
                c.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer got = ByteBuffer.allocate(4);
                while (got.hasRemaining() && peer.read(got) >= 0) {
                    // until all four bytes
                }
                assertEquals("ping", new String(got.array(), StandardCharsets.UTF_8));
            }
            // A service that never accepts fails the connection at once (backlog 1: the first
            // connections queue, a later one finds it full).
            try (ServerSocketChannel deaf = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                deaf.bind(UnixDomainSocketAddress.of(priv.resolve("deaf.sock")), 1);
                java.util.List<SocketChannel> queued = new java.util.ArrayList<>();
                IOException refused = null;
                for (int i = 0; i < 64 && refused == null; i++) {
                    try {
                        queued.add(driver.connectUnix(q, "/rw/deaf.sock"));
                    } catch (IOException e) {
                        refused = e;
                    }
                }
                for (SocketChannel c : queued) {
                    c.close();
                }
                assertTrue(refused != null && refused.getMessage().contains("accepts no connection"),
                        "queued " + queued.size() + ", then " + refused);
            }
        } finally {
            driver.kill(q);
        }
        assertThrows(QubesVMNotRunningError.class, () -> driver.lookup(q, "/rw/svc.sock"));
    }

    @Test
    void streamsOneGibibyteThroughExec() throws Exception {
        RunningQube q = driver.start(spec("contract-gib"));
        try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "cat"))) {
            long total = 1L << 30;
            var pool = Executors.newVirtualThreadPerTaskExecutor();
            CompletableFuture<byte[]> readSide = CompletableFuture.supplyAsync(() -> digest(p.stdout()), pool);
            var err = pool.submit(() -> p.stderr().readAllBytes());
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 20];
            Random rnd = new Random(42);
            try (OutputStream in = p.stdin()) {
                for (long n = 0; n < total; n += block.length) {
                    rnd.nextBytes(block);
                    sent.update(block);
                    in.write(block);
                }
            } catch (IOException e) {
                p.waitFor();
                throw new AssertionError("cat died: " + new String(err.get(), StandardCharsets.UTF_8), e);
            }
            assertArrayEquals(sent.digest(), readSide.get());
            assertEquals(0, p.waitFor());
        } finally {
            driver.shutdown(q, Duration.ofSeconds(30));
        }
    }

    private static byte[] digest(InputStream in) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return md.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shutdownKillsAfterTimeoutWhenAProcessIgnoresTerm() throws Exception {
        RunningQube q = driver.start(spec("contract-stubborn"));
        QubeProcess p = driver.exec(q, ExecSpec.of("root", "sh", "-c",
                "trap '' TERM; echo ready; while :; do sleep 1; done"));
        assertEquals('r', p.stdout().read());
        assertFalse(driver.shutdown(q, Duration.ofMillis(500)));
        assertFalse(driver.isRunning(q));
        p.waitFor();
        p.close();
    }

    @Test
    void killStopsAtOnce() throws Exception {
        RunningQube q = driver.start(spec("contract-kill"));
        QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c", "echo up; sleep 100000"));
        assertEquals('u', p.stdout().read());
        driver.kill(q);
        assertFalse(driver.isRunning(q));
        p.waitFor();
        assertFalse(p.isAlive());
        p.close();
        driver.kill(q); // idempotent
    }

    @Test
    void pauseHoldsProcessesUntilUnpause() throws Exception {
        RunningQube q = driver.start(spec("contract-pause"));
        try (QubeProcess p = driver.exec(q, ExecSpec.of("user", "sh", "-c", "read x; echo \"done $x\""))) {
            driver.pause(q);
            assertTrue(driver.stats(q).paused());
            try (OutputStream in = p.stdin()) {
                in.write("now\n".getBytes());
            }
            assertFalse(p.waitFor(Duration.ofMillis(300)), "a paused qube's process ran");
            assertTrue(driver.isRunning(q));
            driver.unpause(q);
            assertFalse(driver.stats(q).paused());
            assertEquals(0, p.waitFor());
            assertEquals("done now\n", new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertThrows(QubesVMNotPausedError.class, () -> driver.unpause(q));
        } finally {
            driver.shutdown(q, Duration.ofSeconds(30));
        }
    }

    @Test
    void restartedDaemonReattachesAndStops() throws Exception {
        QubeSpec spec = spec("contract-reattach");
        RunningQube q = driver.start(spec);
        assertThrows(QubesVMAlreadyStartedError.class, () -> driver.start(spec));
        driver = null; // the old daemon is gone
        IsolationDriver again = restartedDriver();
        Optional<RunningQube> back = again.reattach(spec);
        assertTrue(back.isPresent());
        assertEquals(q.pid(), back.get().pid());
        assertEquals("back\n", sh(again, back.get(), "user", "echo back").outText());
        assertTrue(again.shutdown(back.get(), Duration.ofSeconds(30)));
        assertTrue(again.reattach(spec).isEmpty());
        driver = again;
    }

    @Test
    void onStopCompletesAfterShutdownAndKill() throws Exception {
        RunningQube q = driver.start(spec("contract-onstop"));
        var stopped = driver.onStop(q);
        assertFalse(stopped.isDone());
        assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        assertEquals(q, stopped.get(30, java.util.concurrent.TimeUnit.SECONDS));
        RunningQube again = driver.start(q.spec());
        var killed = driver.onStop(again);
        driver.kill(again);
        assertEquals(again, killed.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(driver.onStop(again).isDone());
    }

    @Test
    void startStopStartAgain() throws Exception {
        QubeSpec spec = spec("contract-again");
        for (int i = 0; i < 3; i++) {
            RunningQube q = driver.start(spec);
            assertEquals("" + i + "\n", sh(driver, q, "root", "echo " + i).outText());
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void twoStepStartTakesItsFileSystemOnlyWhenItIsReady() throws Exception {
        QubeSpec spec = spec("contract-late");
        Path home = spec.privateDir().resolve("home");
        Path aside = spec.privateDir().resolveSibling("contract-late-home");
        // The storage is not there when the start begins: the home directory appears only
        // when the driver asks for the whole spec, as a pool's mount would.
        Files.move(home, aside);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        RunningQube q = driver.start(spec.sandbox(), () -> {
            asked.incrementAndGet();
            try {
                Thread.sleep(50);
                Files.move(aside, home);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return spec;
        });
        try {
            assertEquals(1, asked.get());
            assertEquals("up\n", sh(driver, q, "root", "echo up").outText());
            assertEquals(Optional.of(FileKind.DIRECTORY), driver.lookup(q, "/rw/home/user"));
        } finally {
            assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
        }
    }

    @Test
    void twoStepStartEndsCleanlyWhenTheStorageFails() throws Exception {
        QubeSpec spec = spec("contract-nostore");
        IllegalStateException failure = new IllegalStateException("storage broke");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> driver.start(spec.sandbox(), () -> {
                    throw failure;
                }));
        assertTrue(thrown == failure, "the storage's own exception, as it was thrown");
        assertTrue(driver.reattach(spec).isEmpty());
        // Nothing of the failed start is in the way of the next one.
        RunningQube q = driver.start(spec);
        assertTrue(driver.shutdown(q, Duration.ofSeconds(30)));
    }

    @Test
    void twoStepStartRefusesASpecOfAnotherSandbox() throws Exception {
        QubeSpec spec = spec("contract-mismatch");
        QubeSpec other = spec.withLimits(spec.memoryMiB() + 1, 0, spec.vcpus(), spec.pidsLimit());
        assertThrows(IllegalArgumentException.class, () -> driver.start(spec.sandbox(), () -> other));
        assertTrue(driver.reattach(spec).isEmpty());
    }
}
