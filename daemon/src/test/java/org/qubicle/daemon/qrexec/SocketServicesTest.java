package org.qubicle.daemon.qrexec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.fake.FakeDriver;
import org.qubicle.qrexec.wire.CallHeader;

/** Which services the daemon connects to itself, and what it writes first (fake driver). */
class SocketServicesTest {
    @TempDir
    Path tmp;
    FakeDriver driver = new FakeDriver();
    RunningQube q;
    Path inside;
    ServerSocketChannel server;

    @BeforeEach
    void start() throws IOException {
        QubeSpec spec = QubeSpec.of("target", 1, tmp.resolve("rootfs"), tmp.resolve("private"), tmp.resolve("run"));
        Files.createDirectories(spec.privateDir());
        q = driver.start(spec);
        inside = spec.runtimeDir().resolve("root");
        Files.createDirectories(inside.resolve("etc/qubes-rpc"));
        Files.createDirectories(inside.resolve("run/qubes-rpc"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(inside.resolve("etc/qubes-rpc/test.S")));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        driver.kill(q);
    }

    private Optional<QubeProcess> open(String serviceAndArg, String requested) throws IOException {
        return SocketServices.open(driver, q, CallHeader.parse(("target " + serviceAndArg).getBytes()), "work",
                requested);
    }

    /** Opens the call, sends {@code data}, and returns what the service received. */
    private String received(String serviceAndArg, String requested, String data) throws Exception {
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SocketChannel c = server.accept()) {
                got.complete(new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                got.completeExceptionally(e);
            }
        });
        try (QubeProcess p = open(serviceAndArg, requested).orElseThrow()) {
            p.stdin().write(data.getBytes(StandardCharsets.UTF_8));
            p.stdin().close();
            String result = got.get();
            assertEquals(-1, p.stdout().read(), "the service closed");
            assertEquals(0, p.waitFor());
            return result;
        }
    }

    @Test
    void descriptorNamesServiceSourceAndRequestedTarget() throws Exception {
        assertEquals("test.S+a work name target\0data", received("test.S+a", "target", "data"));
        assertEquals("test.S+ work keyword adminvm\0", received("test.S", "@adminvm", ""));
    }

    @Test
    void rpcConfigCanSkipTheDescriptorOrLeaveTheCallToTheQube() throws Exception {
        Path config = inside.resolve("etc/qubes/rpc-config/test.S");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "# comment\nskip-service-descriptor = 'true'\n");
        assertEquals("data", received("test.S+a", "target", "data"));
        Files.writeString(config, "wait-for-session=1\n");
        assertTrue(open("test.S", "target").isEmpty(), "waiting for the session is the qube's job");
    }

    @Test
    void theFirstEntryDecidesAndOnlyASocketIsReachedDirectly() throws Exception {
        assertTrue(open("test.None", "target").isEmpty(), "nothing there: the qube's runner says 127");
        // SERVICE+ARG comes before SERVICE, /run/qubes-rpc before /etc/qubes-rpc
        Files.writeString(inside.resolve("run/qubes-rpc/test.S+x"), "#!/bin/sh\n");
        assertTrue(open("test.S+x", "target").isEmpty(), "an executable is run by the qube");
        assertEquals("test.S+y work name target\0", received("test.S+y", "target", ""));
        Files.createSymbolicLink(inside.resolve("run/qubes-rpc/test.S"), inside.resolve("etc/qubes-rpc/test.S"));
        assertTrue(open("test.S+y", "target").isEmpty(), "a symlink is resolved by the qube, never by the host");
    }

    @Test
    void rpcConfigParsing() {
        assertEquals(new RpcConfig(true, true), RpcConfig.parse("wait-for-session = true\nskip-service-descriptor=1"));
        assertEquals(RpcConfig.NONE, RpcConfig.parse("wait-for-session = yes\nskip = true\n=\ngarbage\0"));
        assertEquals(new RpcConfig(false, true), RpcConfig.parse("  skip-service-descriptor  =  true  # why\n"));
    }
}
