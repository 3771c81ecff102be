package org.qubicle.daemon.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.api.client.AdminClient;
import org.qubicle.backup.tools.QvmBackup;
import org.qubicle.backup.tools.QvmBackupRestore;
import org.qubicle.backup.tools.ToolMain;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.daemon.lifecycle.Lifecycles;
import org.qubicle.driver.Capability;
import org.qubicle.driver.fake.FakeDriver;

/**
 * A real daemon on a temporary root (real socket, fake isolation driver) with image
 * volumes, and the backup tools run in-process against it.
 */
abstract class BackupTestBase {
    static final String PASS = "correct horse battery staple";

    @TempDir
    Path root;
    Daemon daemon;
    AdminClient client;
    ImageVolumes volumes;
    Path passFile;

    @BeforeEach
    void startDaemon() throws IOException {
        System.setProperty("qubicle.backup.logN", "12");
        volumes = new ImageVolumes(root);
        Files.createDirectories(root.resolve("images"));
        daemon = Daemon.start(new QubesPaths(root),
                new Lifecycles(new FakeDriver(new FakeDriver().host(), EnumSet.allOf(Capability.class)), volumes));
        client = new AdminClient(daemon.paths().adminSocket());
        System.setProperty("qubicle.root", root.toString());
        passFile = root.resolve("pass.txt");
        Files.writeString(passFile, PASS + "\n");
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
        System.clearProperty("qubicle.root");
    }

    String call(String dest, String method, String arg, String payload) {
        return client.callText(dest, method, arg, payload);
    }

    /** Result of one tool run. */
    record Run(int code, String out, String err, byte[] stdout) {
    }

    Run backup(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int code = ToolMain.execute(new QvmBackup().with(client, new ByteArrayInputStream(new byte[0]), raw), args,
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString(), raw.toByteArray());
    }

    Run restore(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ToolMain.execute(new QvmBackupRestore().with(client, new ByteArrayInputStream(new byte[0])), args,
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString(), new byte[0]);
    }

    static void ok(Run r) {
        assertEquals(0, r.code(), () -> "exit " + r.code() + "\nout: " + r.out() + "\nerr: " + r.err());
    }

    /** An image with random data, text and holes, as a private volume looks. */
    static void fillImage(Path img, long size, long seed) throws IOException {
        Files.createDirectories(img.getParent());
        Random rnd = new Random(seed);
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
            byte[] block = new byte[64 * 1024];
            for (long off = 0; off < size; off += 4 * block.length) {
                rnd.nextBytes(block);
                f.seek(off);
                f.write(block);
                f.write(("text block at " + off + "\n").repeat(100).getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** A template, and a qube "work" with everything a backup carries. */
    void createWork() throws IOException {
        call("dom0", "admin.vm.Create.TemplateVM", null, "name=tpl label=black");
        call("dom0", "admin.vm.Create.AppVM", "tpl", "name=net label=red");
        call("net", "admin.vm.property.Set", "provides_network", "True");
        call("dom0", "admin.vm.Create.AppVM", "tpl", "name=work label=blue");
        call("work", "admin.vm.property.Set", "netvm", "net");
        call("work", "admin.vm.property.Set", "memory", "700");
        call("work", "admin.vm.property.Set", "vcpus", "3");
        call("work", "admin.vm.feature.Set", "service.cups", "1");
        call("work", "admin.vm.feature.Set", "gui-emulated", "");
        call("work", "admin.vm.tag.Set", "project-x", null);
        call("work", "admin.vm.firewall.Set", null,
                "action=accept dsthost=10.1.2.3 proto=tcp dstports=443-443\naction=drop\n");
        call("work", "admin.vm.notes.Set", null, "work notes\nsecond line ünïcödé\n");
        fillImage(volumes.image("work", "private"), 8 << 20, 1);
    }
}
