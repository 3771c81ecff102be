package org.qubicle.daemon.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.qubicle.api.client.Event;
import org.qubicle.api.client.EventStream;
import org.qubicle.backup.BackupReader;
import org.qubicle.backup.Passphrase;
import org.qubicle.backup.ReaderOptions;
import org.qubicle.backup.xml.BackupQube;
import org.qubicle.model.exc.BackupAlreadyRunningError;
import org.qubicle.model.exc.BackupCancelledError;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMNotFoundError;

/** admin.backup.Execute / Info / Cancel through the real socket. */
class BackupApiTest extends BackupTestBase {

    Path profile(String name, String yaml) throws IOException {
        Path dir = root.resolve("etc/qubes/backup");
        Files.createDirectories(dir);
        Path f = dir.resolve(name + ".conf");
        Files.writeString(f, yaml);
        return f;
    }

    String simpleProfile(Path dest, String include) {
        return "destination_vm: dom0\ndestination_path: " + dest + "\ninclude:\n" + include
                + "exclude: []\npassphrase_text: '" + PASS + "'\ncompression: true\n";
    }

    @Test
    void infoShowsTheSelectionWithSizes() throws IOException {
        createWork();
        profile("p", simpleProfile(root.resolve("out.bak"), "  - work\n  - '@tag:none'\n"));
        String info = call("dom0", "admin.backup.Info", "p", null);
        assertTrue(info.contains("            work |"), info);
        assertTrue(info.contains("Total size:"), info);
        assertTrue(info.contains("VMs not selected for backup:\n - dom0\n - net\n - tpl\n"), info);
        // Default selection: include_in_backups (every qube but dom0 here).
        profile("all", "destination_vm: dom0\ndestination_path: /nonexistent\ninclude: null\nexclude: [net]\n"
                + "passphrase_text: x\n");
        String all = call("dom0", "admin.backup.Info", "all", null);
        assertTrue(all.contains(" tpl |") && all.contains(" work |") && !all.contains(" net |"), all);
    }

    @Test
    void executeWritesABackupThatReadsBackWithProgressEvents() throws Exception {
        createWork();
        Path out = root.resolve("out.bak");
        profile("p", simpleProfile(out, "  - work\n"));
        List<Event> progress = new ArrayList<>();
        try (EventStream events = client.events("dom0")) {
            assertEquals("connection-established", events.next().name());
            call("dom0", "admin.backup.Execute", "p", null);
            for (Event e = events.next(); e != null; e = events.next()) {
                if (e.name().equals("backup-progress")) {
                    progress.add(e);
                    if (e.kwargs().get("progress").equals("100.0")) {
                        break;
                    }
                }
            }
        }
        assertTrue(progress.size() >= 2, "progress events: " + progress);
        assertEquals("p", progress.getFirst().kwargs().get("backup_profile"));
        try (BackupReader r = BackupReader.open(out, new Passphrase(PASS), ReaderOptions.defaults())) {
            Map<String, BackupQube> qubes = r.qubes().stream().collect(Collectors.toMap(BackupQube::name, q -> q));
            assertTrue(qubes.get("work").backupContent());
            assertEquals("blue", qubes.get("work").label());
            assertEquals("net", qubes.get("work").netvm());
            assertEquals("1", qubes.get("work").features().get("service.cups"));
            assertFalse(qubes.get("net").backupContent());
            assertFalse(qubes.get("dom0").backupContent());
            Path staging = root.resolve("staging");
            Files.createDirectories(staging);
            r.extract(staging, List.of("work"));
            String path = qubes.get("work").backupPath();
            assertArrayEquals(Files.readAllBytes(volumes.image("work", "private")),
                    Files.readAllBytes(staging.resolve(path + "private.img")));
            assertEquals("work notes\nsecond line ünïcödé\n",
                    Files.readString(staging.resolve(path + "notes.txt"), StandardCharsets.UTF_8));
            assertTrue(Files.readString(staging.resolve(path + "firewall.xml")).contains("10.1.2.3"));
        }
        // No snapshot copies are left behind.
        try (var s = Files.list(root.resolve("images"))) {
            assertEquals(List.of("work"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void hostileRequestsGetQubesErrors() throws IOException {
        createWork();
        assertThrows(ProtocolError.class, () -> call("dom0", "admin.backup.Execute", "../etc/passwd", null));
        assertThrows(ProtocolError.class, () -> call("dom0", "admin.backup.Info", ".hidden", null));
        assertThrows(ProtocolError.class, () -> call("work", "admin.backup.Info", "p", null));
        assertThrows(ProtocolError.class, () -> call("dom0", "admin.backup.Execute", null, null));
        assertThrows(PermissionDenied.class, () -> call("dom0", "admin.backup.Execute", "missing", null));
        assertThrows(PermissionDenied.class, () -> call("dom0", "admin.backup.Info", "missing", null));
        QubesException notRunning = assertThrows(QubesException.class,
                () -> call("dom0", "admin.backup.Cancel", "p", null));
        assertEquals("Backup operation not running", notRunning.getMessage());
        profile("bad", "destination_vm: dom0\ndestination_path: [unterminated\ninclude: null\n");
        assertThrows(QubesException.class, () -> call("dom0", "admin.backup.Info", "bad", null));
        profile("nopath", "destination_vm: dom0\ninclude: null\npassphrase_text: x\n");
        assertEquals("Invalid backup profile - missing 'destination_path'",
                assertThrows(QubesException.class, () -> call("dom0", "admin.backup.Execute", "nopath", null))
                        .getMessage());
        profile("typo", simpleProfile(root.resolve("x.bak"), "  - wrok\n"));
        assertThrows(QubesVMNotFoundError.class, () -> call("dom0", "admin.backup.Execute", "typo", null));
        profile("comp", simpleProfile(root.resolve("x.bak"), "  - work\n").replace("compression: true",
                "compression: bzip2"));
        assertThrows(QubesException.class, () -> call("dom0", "admin.backup.Execute", "comp", null));
        profile("ctl", simpleProfile(root.resolve("x.bak"), "  - work\n").replace("'" + PASS + "'",
                "\"bad\\tpass\""));
        assertThrows(QubesException.class, () -> call("dom0", "admin.backup.Execute", "ctl", null));
        profile("vm", simpleProfile(root.resolve("x.bak"), "  - work\n").replace("destination_vm: dom0",
                "destination_vm: nosuchvm"));
        assertThrows(QubesVMNotFoundError.class, () -> call("dom0", "admin.backup.Execute", "vm", null));
        assertFalse(Files.exists(root.resolve("x.bak")));
        // The daemon still serves.
        assertTrue(call("dom0", "admin.vm.List", null, null).contains("work"));
    }

    @Test
    void cancelStopsARunningBackupAndRemovesThePartialFile() throws Exception {
        createWork();
        fillImage(volumes.image("work", "private"), 64 << 20, 7);
        Path fifo = root.resolve("slow.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        profile("slow", simpleProfile(fifo, "  - work\n"));
        CompletableFuture<String> run = CompletableFuture.supplyAsync(
                () -> call("dom0", "admin.backup.Execute", "slow", null));
        try (InputStream in = Files.newInputStream(fifo)) {
            assertTrue(in.read() >= 0); // the backup is under way; stop reading so that it blocks
            BackupAlreadyRunningError twice = assertThrows(BackupAlreadyRunningError.class,
                    () -> call("dom0", "admin.backup.Execute", "slow", null));
            assertTrue(twice.getMessage().contains("slow"));
            call("dom0", "admin.backup.Cancel", "slow", null);
            ExecutionException e = assertThrows(ExecutionException.class, run::get);
            assertTrue(e.getCause() instanceof BackupCancelledError, e.getCause().toString());
        }
        assertThrows(QubesException.class, () -> call("dom0", "admin.backup.Cancel", "slow", null));
        // A new run of the same profile is possible again (here it fails fast: the FIFO was removed).
        assertFalse(Files.exists(fifo));
    }
}
