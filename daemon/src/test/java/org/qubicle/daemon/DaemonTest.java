package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon around the API: roots, lock, socket file, restart. */
class DaemonTest {
    @Test
    void emptyRootGetsAFreshSystemWithOnlyDom0(@TempDir Path root) throws Exception {
        try (Daemon d = Daemon.start(new QubesPaths(root))) {
            assertTrue(Files.exists(root.resolve("var/lib/qubes/qubes.xml")));
            Path sock = root.resolve("var/run/qubesd.sock");
            assertEquals(d.paths().adminSocket(), sock);
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            RawClient c = new RawClient(sock);
            RawClient.Reply.Ok list = (RawClient.Reply.Ok) c.call("admin.vm.List", "", "dom0", "");
            assertEquals("dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000\n", list.value());
        }
        assertTrue(Files.notExists(root.resolve("var/run/qubesd.sock")), "socket removed on close");
    }

    @Test
    void stateSurvivesARestart(@TempDir Path root) throws Exception {
        try (Daemon d = Daemon.start(new QubesPaths(root))) {
            RawClient c = new RawClient(d.paths().adminSocket());
            assertTrue(c.call("admin.vm.Create.StandaloneVM", "", "dom0", "name=keep label=green") instanceof RawClient.Reply.Ok);
            assertTrue(c.call("admin.vm.property.Set", "memory", "keep", "777") instanceof RawClient.Reply.Ok);
        }
        try (Daemon d = Daemon.start(new QubesPaths(root))) {
            RawClient c = new RawClient(d.paths().adminSocket());
            assertEquals("default=False type=int 777",
                    ((RawClient.Reply.Ok) c.call("admin.vm.property.Get", "memory", "keep", "")).value());
        }
    }

    @Test
    void twoDaemonsCannotShareARoot(@TempDir Path root) throws Exception {
        try (Daemon d = Daemon.start(new QubesPaths(root))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.start(new QubesPaths(root)));
            assertTrue(e.getMessage().contains("another qubesd"), e.getMessage());
            // the first one is unharmed
            assertTrue(new RawClient(d.paths().adminSocket()).call("admin.vm.List", "", "dom0", "") instanceof RawClient.Reply.Ok);
        }
    }

    @Test
    void severalRootsSideBySide(@TempDir Path a, @TempDir Path b) throws Exception {
        try (Daemon da = Daemon.start(new QubesPaths(a)); Daemon db = Daemon.start(new QubesPaths(b))) {
            RawClient ca = new RawClient(da.paths().adminSocket());
            RawClient cb = new RawClient(db.paths().adminSocket());
            assertTrue(ca.call("admin.vm.Create.StandaloneVM", "", "dom0", "name=only-a label=red") instanceof RawClient.Reply.Ok);
            assertTrue(((RawClient.Reply.Ok) ca.call("admin.vm.List", "", "dom0", "")).value().contains("only-a"));
            assertTrue(!((RawClient.Reply.Ok) cb.call("admin.vm.List", "", "dom0", "")).value().contains("only-a"));
        }
    }

    @Test
    void staleSocketIsReplacedLiveOneRefused(@TempDir Path root) throws Exception {
        QubesPaths paths = new QubesPaths(root);
        Files.createDirectories(paths.runDir());
        // a live listener that is not ours: refuse to start
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(paths.adminSocket()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.start(paths));
            assertTrue(e.getMessage().contains("still accepts"), e.getMessage());
        }
        // the listener is gone but its file stays: stale, so it is replaced
        assertTrue(Files.exists(paths.adminSocket()));
        try (Daemon d = Daemon.start(paths)) {
            assertTrue(new RawClient(paths.adminSocket()).call("admin.vm.List", "", "dom0", "") instanceof RawClient.Reply.Ok);
        }
    }

    @Test
    void loadsAnExistingQubesXmlWithoutRewritingIt(@TempDir Path root) throws Exception {
        QubesPaths paths = new QubesPaths(root);
        try (Daemon d = Daemon.start(paths)) {
            new RawClient(paths.adminSocket()).call("admin.vm.Create.StandaloneVM", "", "dom0", "name=x1 label=red");
        }
        byte[] before = Files.readAllBytes(paths.qubesXml());
        try (Daemon d = Daemon.start(paths)) {
            RawClient c = new RawClient(paths.adminSocket());
            assertTrue(((RawClient.Reply.Ok) c.call("admin.vm.List", "", "dom0", "")).value().contains("x1 class=StandaloneVM"));
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(paths.qubesXml())), "read calls do not save");
    }
}
