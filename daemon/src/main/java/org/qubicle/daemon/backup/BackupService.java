package org.qubicle.daemon.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.qubicle.api.handlers.BackupHandlers;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.daemon.storage.VolumeData;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.BackupAlreadyRunningError;
import org.qubicle.model.exc.BackupCancelledError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.storage.VolumeConfig;

/**
 * The daemon's side of {@code admin.backup.*}: loads the profile, picks the qubes, and runs
 * the backup in a worker thread while the calling {@code Execute} waits on the system
 * lock's monitor (so every other call goes on meanwhile). Progress goes out as
 * {@code backup-progress} events on dom0 ({@code backup_profile=}, {@code progress=} in
 * percent), as qubesd fires them. One run per profile at a time.
 */
public final class BackupService implements BackupHandlers.Backups {
    private static final Logger LOG = Logger.getLogger(BackupService.class.getName());

    private final Qubes app;
    private final Path qubesXml;
    private final Path profileDir;
    private final VolumeData volumes;
    private final QubeCommands commands;
    private final ScryptParams scrypt;
    /** Running backups by profile; guarded by the system lock. */
    private final Map<String, BackupRun> running = new HashMap<>();

    /**
     * @param qubesXml   the daemon's qubes.xml (saved after every write, so it is the model)
     * @param profileDir {@code $QUBES_ROOT/etc/qubes/backup}
     * @param scrypt     KDF parameters ({@link ScryptParams#DEFAULT}; tests use FAST)
     */
    public BackupService(Qubes app, Path qubesXml, Path profileDir, VolumeData volumes, QubeCommands commands,
            ScryptParams scrypt) {
        this.app = app;
        this.qubesXml = qubesXml;
        this.profileDir = profileDir;
        this.volumes = volumes;
        this.commands = commands;
        this.scrypt = scrypt;
    }

    @Override
    public void execute(String name) {
        BackupProfile profile = BackupProfile.load(profileDir, name);
        if (running.containsKey(name)) {
            throw new BackupAlreadyRunningError("Backup " + name + " is already running");
        }
        List<Qube> selected = BackupSelection.select(app, profile);
        byte[] xml;
        try {
            xml = Files.readAllBytes(qubesXml);
        } catch (IOException e) {
            throw new QubesException("Cannot read qubes.xml: " + e.getMessage());
        }
        Qube destVm = app.qube(profile.destVm());
        Qube passVm = profile.passphrase().isPresent() ? null
                : app.qube(profile.passphraseVm().orElseThrow(() -> new QubesException(
                        "Invalid backup profile - you need to specify passphrase_text or passphrase_vm")));
        List<BackupRun.Item> items = new ArrayList<>();
        for (Qube q : selected) {
            items.add(BackupRun.Item.of(q));
        }
        BackupRun run = new BackupRun(app, profile, items, xml, destVm == app.adminVm() ? null : destVm, passVm,
                volumes, commands, scrypt);
        running.put(name, run);
        Object lock = app.lock();
        try {
            // A platform thread: closing a FileChannel signals the platform threads blocked in
            // it, but a virtual thread blocked in a file write is never signalled, so the close
            // in Cancel would wait for it forever (a FIFO whose reader stopped reading).
            Thread.ofPlatform().daemon().name("backup-" + name).start(run);
            while (!run.done()) {
                lock.wait();
            }
        } catch (InterruptedException e) {
            run.cancel();
            Thread.currentThread().interrupt();
            throw new BackupCancelledError("Backup interrupted");
        } finally {
            running.remove(name);
        }
        RuntimeException failure = run.failure();
        if (failure != null) {
            throw failure;
        }
        LOG.info("backup " + name + " written to " + run.target());
    }

    @Override
    public String info(String name) {
        BackupProfile profile = BackupProfile.load(profileDir, name);
        List<BackupSummary.Line> lines = new ArrayList<>();
        for (Qube q : BackupSelection.select(app, profile)) {
            lines.add(new BackupSummary.Line(q, BackupRun.Item.of(q).estimatedSize()));
        }
        return BackupSummary.format(app, lines);
    }

    @Override
    public void cancel(String name) {
        if (name.contains("/")) {
            throw new QubesException("Backup operation not running");
        }
        BackupRun run = running.get(name);
        if (run == null) {
            throw new QubesException("Backup operation not running");
        }
        run.cancel();
    }

    /** Volumes that a backup stores: those saved on stop, in the qube's volume order. */
    static List<String> savedVolumes(Qube q) {
        List<String> out = new ArrayList<>();
        for (VolumeConfig v : q.volumes().values()) {
            if (v.saveOnStop()) {
                out.add(v.name());
            }
        }
        return out;
    }
}
