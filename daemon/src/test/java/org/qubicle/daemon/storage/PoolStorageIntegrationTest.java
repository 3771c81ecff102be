package org.qubicle.daemon.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.api.client.AdminClient;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesTestRoot;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.testing.LeakCheck;
import org.qubicle.model.exc.QubesException;

/**
 * Qubes on pool volumes with the real daemon, bubblewrap, loop devices and ext4 (root).
 * A busybox template {@code stpl}, an AppVM {@code swork}; each test leaves no mount, loop
 * device or process behind (LeakCheck).
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class PoolStorageIntegrationTest {
    QubesTestRoot qubes;
    Path root;
    Daemon daemon;
    AdminClient c;

    @BeforeEach
    void setUp() throws IOException {
        qubes = QubesTestRoot.start("qubicle-st", "stpl", "swork", "sother", "sdvm");
        root = qubes.root();
        daemon = qubes.daemon();
        c = qubes.admin();
        qubes.busyboxTemplate("stpl");
        c.callText("dom0", "admin.vm.Create.AppVM", "stpl", "name=swork label=blue");
    }

    @AfterEach
    void tearDown() throws IOException {
        qubes.close();
    }

    private String call(String vm, String method, String arg, String payload) {
        return c.callText(vm, method, arg, payload);
    }

    private record Out(int exit, String out) {
    }

    private Out sh(String vm, String user, String script) throws Exception {
        RunningQube rq = daemon.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of(user, "sh", "-c", script))) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
            return new Out(p.waitFor(), (out + err).strip());
        }
    }

    private String ok(String vm, String user, String script) throws Exception {
        Out o = sh(vm, user, script);
        assertEquals(0, o.exit(), o.out());
        return o.out();
    }

    private void start(String vm) {
        call(vm, "admin.vm.Start", null, null);
    }

    private void shutdown(String vm) {
        call(vm, "admin.vm.Shutdown", "wait", null);
    }

    private Path lib(String rel) {
        return root.resolve("var/lib/qubes").resolve(rel);
    }

    private String info(String vm, String vol, String key) {
        for (String l : call(vm, "admin.vm.volume.Info", vol, null).split("\n")) {
            if (l.startsWith(key + "=")) {
                return l.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key);
    }

    /** A bare ext4 image of {@code mib} MiB holding one file. */
    private Path smallImage(int mib, String content) throws Exception {
        Path dir = Files.createTempDirectory(root, "tree");
        Files.createDirectories(dir.resolve("home/user"));
        Files.writeString(dir.resolve("home/user/marker"), content);
        new ProcessBuilder("chown", "-R", "1000:1000", dir.resolve("home/user").toString()).start().waitFor();
        Path img = root.resolve("small-" + mib + ".img");
        Process p = new ProcessBuilder("mkfs.ext4", "-q", "-F", "-d", dir.toString(), img.toString(), mib + "M")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return img;
    }

    @Test
    void privateIsAnExt4ImageWhoseSizeIsEnforcedAndImportedThroughTheSocket() throws Exception {
        Path img = smallImage(32, "imported");
        try (InputStream in = Files.newInputStream(img)) {
            byte[] head = (Files.size(img) + "\n").getBytes(StandardCharsets.US_ASCII);
            c.callStreaming("swork", "admin.vm.volume.ImportWithSize", "private", head, in);
        }
        assertEquals(Long.toString(32L << 20), info("swork", "private", "size"), "size follows the import");
        assertEquals("1", call("swork", "admin.vm.volume.ListSnapshots", "private", null).strip(),
                "the empty state before the import is a revision");
        start("swork");
        assertEquals("imported", ok("swork", "user", "cat /home/user/marker"));
        assertEquals("1000", ok("swork", "user", "stat -c %u /home/user/marker"), "owners keep in-qube uids");
        Out full = sh("swork", "user", "dd if=/dev/zero of=/home/user/big bs=1M count=64 2>&1");
        assertNotEquals(0, full.exit(), full.out());
        assertTrue(full.out().contains("No space left on device"), full.out());
        ok("swork", "user", "rm /home/user/big; echo kept > /home/user/f");
        shutdown("swork");
        start("swork");
        assertEquals("kept", ok("swork", "user", "cat /home/user/f"), "private persists");
        // the file on disk is in-qube uid 1000, as in Qubes
        shutdown("swork");
        assertTrue(Files.isRegularFile(lib("appvms/swork/private.img")));
        call("swork", "admin.vm.Remove", null, null);
        assertFalse(Files.exists(lib("appvms/swork")), "a removed qube's volumes go with it");
    }

    private static long allocated(Path p) throws Exception {
        Process pr = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(pr.getInputStream().readAllBytes()).strip();
        assertEquals(0, pr.waitFor());
        return Long.parseLong(out) * 512;
    }

    @Test
    void appVmRootIsACopyOnWriteViewOfTheCommittedTemplateRoot() throws Exception {
        start("stpl");
        Path tplRootMount = root.resolve("var/run/qubicle/storage/varlibqubes/vol/vm-templates/stpl/root");
        assertTrue(Files.isDirectory(tplRootMount.resolve("bin")), "template root mounted from its image");
        // Inside the running template, as a user installs software there: its root is writable.
        ok("stpl", "root", "printf v2 > /etc-new && mkdir -p /usr/local/bin && printf tool > /usr/local/bin/t");
        assertEquals("v2", Files.readString(tplRootMount.resolve("etc-new")), "written into the template's image");
        assertEquals("0", ok("stpl", "root", "stat -c %u /etc-new"), "owned by the template's root");
        start("swork");
        // Started while the template runs: the previous committed root.
        assertNotEquals(0, sh("swork", "root", "cat /etc-new").exit(), "not before the template shuts down");
        Object tplInode = Files.getAttribute(lib("vm-templates/stpl/root.img"), "unix:ino");
        assertEquals(tplInode, Files.getAttribute(lib("appvms/swork/root.img"), "unix:ino"),
                "the AppVM links the template's committed root");
        long upper = allocated(lib("appvms/swork/root-dirty.img"));
        long tplData = allocated(lib("vm-templates/stpl/root.img"));
        assertTrue(upper < tplData, "starting copied nothing: upper " + upper + " vs template " + tplData);
        ok("swork", "root", "echo mine > /etc/appvm-only && cat /etc/appvm-only");
        assertEquals("0", ok("swork", "root", "stat -c %u /bin/busybox"), "root files owned by the qube's root");
        shutdown("swork");
        shutdown("stpl");
        start("swork");
        assertEquals("v2", ok("swork", "root", "cat /etc-new"), "the template's commit reaches the AppVM at restart");
        assertEquals("tool", ok("swork", "user", "cat /usr/local/bin/t"));
        assertNotEquals(0, sh("swork", "root", "cat /etc/appvm-only").exit(), "AppVM root writes are discarded");
        shutdown("swork");
        assertFalse(Files.exists(lib("appvms/swork/root-dirty.img")));
    }

    @Test
    void revertResizeClearAndCloneMoveData() throws Exception {
        start("swork");
        ok("swork", "user", "echo one > /home/user/f");
        shutdown("swork");
        start("swork");
        ok("swork", "user", "echo two > /home/user/f");
        shutdown("swork");
        List<String> revs = call("swork", "admin.vm.volume.ListSnapshots", "private", null).lines().toList();
        assertFalse(revs.isEmpty());
        call("swork", "admin.vm.volume.Revert", "private", revs.getLast());
        start("swork");
        assertEquals("one", ok("swork", "user", "cat /home/user/f"), "reverted to the state after the first run");
        shutdown("swork");
        // Resize: grow the private volume by 1 GiB; qubes.xml and the file system follow.
        long size = Long.parseLong(info("swork", "private", "size"));
        call("swork", "admin.vm.volume.Resize", "private", Long.toString(size + (1L << 30)));
        assertEquals(Long.toString(size + (1L << 30)), info("swork", "private", "size"));
        start("swork");
        long blocks = Long.parseLong(ok("swork", "root", "stat -f -c '%b %S' /rw | awk '{print $1*$2}'"));
        assertTrue(blocks > size, "file system grew: " + blocks);
        shutdown("swork");
        qubes.restart();
        daemon = qubes.daemon();
        c = qubes.admin();
        assertEquals(Long.toString(size + (1L << 30)), info("swork", "private", "size"), "size saved in qubes.xml");
        // Clone: sother's private becomes a copy of swork's.
        call("dom0", "admin.vm.Create.AppVM", "stpl", "name=sother label=green");
        String token = call("swork", "admin.vm.volume.CloneFrom", "private", null);
        call("sother", "admin.vm.volume.CloneTo", "private", token);
        start("sother");
        assertEquals("one", ok("sother", "user", "cat /home/user/f"), "clone copied the data");
        ok("sother", "user", "echo changed > /home/user/f");
        shutdown("sother");
        start("swork");
        assertEquals("one", ok("swork", "user", "cat /home/user/f"), "the source is untouched");
        shutdown("swork");
        // Clear: an empty volume, formatted at the next start.
        call("sother", "admin.vm.volume.Clear", "private", null);
        start("sother");
        assertNotEquals(0, sh("sother", "user", "cat /home/user/f").exit());
        shutdown("sother");
    }

    @Test
    void exportImportRoundTripStreamsPastTheRequestCap() throws Exception {
        Path small = smallImage(24, "x");
        try (InputStream in = Files.newInputStream(small)) {
            c.callStreaming("swork", "admin.vm.volume.ImportWithSize", "private",
                    (Files.size(small) + "\n").getBytes(StandardCharsets.US_ASCII), in);
        }
        start("swork");
        ok("swork", "user", "head -c 300000 /dev/urandom > /home/user/rnd; md5sum /home/user/rnd > /home/user/sum");
        assertThrows(org.qubicle.model.exc.QubesVMNotHaltedError.class, () -> c.callStreaming("swork",
                "admin.vm.volume.Import", "private", null, new java.io.ByteArrayInputStream(new byte[200_000])),
                "refused while running");
        shutdown("swork");
        Path out = root.resolve("export.img");
        try (var os = Files.newOutputStream(out)) {
            long n = c.callToStream("swork", "admin.vm.volume.Export", "private", os);
            assertEquals(Long.parseLong(info("swork", "private", "size")), n);
        }
        call("dom0", "admin.vm.Create.AppVM", "stpl", "name=sother label=green");
        try (InputStream in = Files.newInputStream(out)) {
            c.callStreaming("sother", "admin.vm.volume.ImportWithSize", "private",
                    (Files.size(out) + "\n").getBytes(StandardCharsets.US_ASCII), in);
        }
        try (InputStream in = Files.newInputStream(out)) {
            // Import without a size takes exactly the volume's size (the same here).
            c.callStreaming("swork", "admin.vm.volume.Import", "private", null, in);
        }
        start("sother");
        ok("sother", "user", "cd /home/user && md5sum -c -s sum");
        shutdown("sother");
        // A short image is refused and changes nothing.
        byte[] part = new byte[100_000];
        assertThrows(QubesException.class, () -> c.callStreaming("sother", "admin.vm.volume.Import", "private", null,
                new java.io.ByteArrayInputStream(part)));
        start("sother");
        ok("sother", "user", "test -f /home/user/rnd");
        shutdown("sother");
        // VolumeData (backup's view): snapshot of a running qube's private, then import.
        start("swork");
        try (VolumeData.VolumeImage im = daemon.volumeData().snapshot(qube("swork"), "private")) {
            assertEquals(Long.parseLong(info("swork", "private", "size")), im.size());
            Path copy = im.path();
            assertTrue(Files.exists(copy));
            try (InputStream in = Files.newInputStream(copy)) {
                daemon.volumeData().importData(qube("sother"), "private", in, im.size());
            }
        }
        shutdown("swork");
        start("sother");
        ok("sother", "user", "cd /home/user && md5sum -c -s sum");
        shutdown("sother");
    }

    private org.qubicle.model.Qube qube(String name) {
        return daemon.app().qube(name);
    }

    @Test
    void disposableLeavesNothingAndRestartTakesQubesBack() throws Exception {
        call("dom0", "admin.vm.Create.AppVM", "stpl", "name=sdvm label=red");
        call("sdvm", "admin.vm.property.Set", "template_for_dispvms", "True");
        start("sdvm");
        ok("sdvm", "user", "echo from-dvm > /home/user/d");
        shutdown("sdvm");
        String disp = call("sdvm", "admin.vm.CreateDisposable", null, null).strip();
        start(disp);
        assertEquals("from-dvm", ok(disp, "user", "cat /home/user/d"), "a disposable's private snapshots its dvm's");
        ok(disp, "user", "echo secret > /home/user/s; echo x > /tmp/x");
        ok(disp, "root", "echo y > /etc/y");
        // Restart: the daemon takes back the running qube.
        start("swork");
        ok("swork", "user", "echo alive > /home/user/a");
        qubes.restart();
        daemon = qubes.daemon();
        c = qubes.admin();
        assertEquals("alive", ok("swork", "user", "cat /home/user/a"), "reattached after a daemon restart");
        assertEquals("secret", ok(disp, "user", "cat /home/user/s"));
        call(disp, "admin.vm.Kill", null, null);
        for (int i = 0; i < 100 && Files.exists(lib("appvms/" + disp), LinkOption.NOFOLLOW_LINKS); i++) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(lib("appvms/" + disp), LinkOption.NOFOLLOW_LINKS), "no files of the disposable");
        start("sdvm");
        ok("sdvm", "user", "test ! -e /home/user/s");
        shutdown("sdvm");
        shutdown("swork");
        try (Stream<Path> s = Files.walk(root.resolve("var/run/qubicle"))) {
            List<Path> left = s.filter(p -> p.toString().contains(disp)).toList();
            assertEquals(List.of(), left, "no mount points of the disposable");
        }
    }

    private String tool(String... args) throws Exception {
        Path bin = Path.of(System.getProperty("qubicle.checkout", ".")).resolve("bin");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(bin.resolveSibling("build/lib")),
                "scripts/build.sh has not filled build/lib");
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.resolve(args[0]).toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("QUBES_ROOT", root.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void qvmVolumeImportExportRevertResize() throws Exception {
        Path img = smallImage(20, "via-tool");
        tool("qvm-volume", "import", "swork:private", img.toString());
        assertEquals(Long.toString(Files.size(img)), info("swork", "private", "size"));
        Path out = root.resolve("tool-export.img");
        tool("qvm-volume", "export", "swork:private", out.toString());
        assertArrayEquals(Files.readAllBytes(img), Files.readAllBytes(out), "export gives back the imported image");
        tool("qvm-volume", "revert", "swork:private");
        assertEquals(Long.toString(2L << 30), info("swork", "private", "size"), "back to the empty state before");
        tool("qvm-volume", "revert", "swork:private");
        assertEquals(Long.toString(Files.size(img)), info("swork", "private", "size"),
                "revert is non-destructive: the imported state was kept as a revision");
        tool("qvm-volume", "resize", "swork:private", "40MiB");
        assertEquals(Long.toString(40L << 20), info("swork", "private", "size"));
        start("swork");
        assertEquals("via-tool", ok("swork", "user", "cat /home/user/marker"));
        shutdown("swork");
    }
}
