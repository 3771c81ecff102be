package org.qubicle.daemon.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.backup.BackupEntry;
import org.qubicle.backup.BackupOptions;
import org.qubicle.backup.BackupSource;
import org.qubicle.backup.BackupWriter;
import org.qubicle.backup.Passphrase;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.daemon.storage.VolumeData;
import org.qubicle.driver.QubeProcess;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.Notice;
import org.qubicle.model.exc.BackupCancelledError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.model.storage.VolumeConfig;
import org.qubicle.store.FirewallXml;

/**
 * One backup in progress, on its own thread: passphrase, volume snapshots, the qubes.xml
 * copy, then {@link BackupWriter} into the target. It takes the system lock only for
 * short steps (a snapshot, firing an event, starting the receiver), so the daemon keeps
 * serving calls. {@link #cancel()} may come from any thread.
 */
final class BackupRun implements Runnable {
    private static final Logger LOG = Logger.getLogger(BackupRun.class.getName());

    /** What the run needs of one qube, read holding the lock when the backup starts. */
    record Item(Qube qube, String name, int qid, List<VolumeConfig> volumes, byte[] firewall, byte[] notes) {
        static Item of(Qube q) {
            List<VolumeConfig> vols = new ArrayList<>();
            for (String v : BackupService.savedVolumes(q)) {
                vols.add(q.volumes().get(v));
            }
            byte[] fw = FirewallXml.write(q.firewall(), System.currentTimeMillis() / 1000);
            return new Item(q, q.name(), q.qid(), vols, fw, q.notes().getBytes(StandardCharsets.UTF_8));
        }

        long estimatedSize() {
            long s = firewall.length + notes.length;
            for (VolumeConfig v : volumes) {
                s += v.size();
            }
            return s;
        }
    }

    private final Qubes app;
    private final BackupProfile profile;
    private final List<Item> items;
    private final byte[] qubesXml;
    private final Qube destVm;
    private final Qube passVm;
    private final VolumeData volumes;
    private final QubeCommands commands;
    private final ScryptParams scrypt;

    private volatile boolean cancelled;
    private volatile BackupTarget target;
    private boolean done;
    private RuntimeException failure;
    private double lastPercent = -1;

    BackupRun(Qubes app, BackupProfile profile, List<Item> items, byte[] qubesXml, Qube destVm, Qube passVm,
            VolumeData volumes, QubeCommands commands, ScryptParams scrypt) {
        this.app = app;
        this.profile = profile;
        this.items = items;
        this.qubesXml = qubesXml;
        this.destVm = destVm;
        this.passVm = passVm;
        this.volumes = volumes;
        this.commands = commands;
        this.scrypt = scrypt;
    }

    @Override
    public void run() {
        List<VolumeData.VolumeImage> images = new ArrayList<>();
        BackupTarget t = null;
        RuntimeException result = null;
        try {
            Passphrase pass = new Passphrase(passphrase());
            List<BackupEntry> entries = new ArrayList<>();
            Map<String, BackupXml.Declared> declared = new LinkedHashMap<>();
            for (Item it : items) {
                checkCancelled();
                Map<String, BackupSource> files = new LinkedHashMap<>();
                for (VolumeConfig v : it.volumes()) {
                    VolumeData.VolumeImage img;
                    try {
                        synchronized (app.lock()) {
                            img = volumes.snapshot(it.qube(), v.name());
                        }
                    } catch (StoragePoolException e) {
                        // A volume that never received data (a qube never started) has no image
                        // yet: nothing to back up, and the restored qube gets a fresh volume too.
                        if (String.valueOf(e.getMessage()).startsWith("Missing image file")) {
                            LOG.info("backup " + profile.name() + ": " + it.name() + ":" + v.name()
                                    + " has no data yet, not stored");
                            continue;
                        }
                        throw e;
                    }
                    images.add(img);
                    files.put(v.name() + ".img", BackupSource.image(img.path()));
                }
                files.put("firewall.xml", BackupSource.bytes(it.firewall()));
                if (it.notes().length > 0) {
                    files.put("notes.txt", BackupSource.bytes(it.notes()));
                }
                BackupEntry e = new BackupEntry(it.name(), "vm" + it.qid() + "/", files);
                entries.add(e);
                declared.put(it.name(), new BackupXml.Declared(e.backupPath(), e.declaredSize()));
            }
            byte[] xml = BackupXml.copy(qubesXml, declared);
            t = openTarget();
            target = t;
            checkCancelled();
            BackupOptions opts = BackupOptions.defaults().withScrypt(scrypt)
                    .withCompression(Compression.forName(profile.compression()));
            new BackupWriter(pass, opts).write(xml, entries, t.out(), this::progress);
            t.finish();
            progress(1, 1);
        } catch (RuntimeException | IOException e) {
            QubesException explained = null;
            if (t != null) {
                // A receiver in a qube that exited or stopped reading makes the write fail
                // with a bare "Broken pipe"; its exit code and stderr say why.
                if (!cancelled && (e instanceof IOException || e instanceof UncheckedIOException)) {
                    explained = t.explain(e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
                }
                t.abort();
            }
            if (cancelled) {
                result = new BackupCancelledError("Backup cancelled");
            } else if (explained != null) {
                result = explained;
            } else if (e instanceof QubesException qe) {
                result = qe;
            } else {
                LOG.log(Level.WARNING, "backup " + profile.name() + " failed", e);
                result = new QubesException("Backup failed: " + e.getMessage());
            }
        } finally {
            for (VolumeData.VolumeImage img : images) {
                try {
                    img.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "releasing a backup snapshot failed", e);
                }
            }
            synchronized (app.lock()) {
                failure = result;
                done = true;
                app.lock().notifyAll();
            }
        }
    }

    private BackupTarget openTarget() throws IOException {
        if (destVm == null) {
            return BackupTarget.file(Path.of(profile.destPath()));
        }
        synchronized (app.lock()) {
            return BackupTarget.qube(commands, destVm, profile.destPath());
        }
    }

    /** passphrase_text, or the output of qubes.BackupPassphrase in passphrase_vm. */
    private String passphrase() throws IOException {
        if (profile.passphrase().isPresent()) {
            return profile.passphrase().get();
        }
        QubeProcess p;
        synchronized (app.lock()) {
            // As qrexec calls qubes.BackupPassphrase+PROFILE: the argument in $1 and in the
            // environment.
            p = commands.run(passVm, "QREXEC_SERVICE_ARGUMENT=" + quote(profile.name())
                    + " exec /etc/qubes-rpc/qubes.BackupPassphrase " + quote(profile.name()));
        }
        try (p) {
            p.stdin().close();
            // Read, not kept: a service that talks on stderr must not fill the pipe and stall.
            Thread.ofVirtual().start(() -> {
                try (InputStream e = p.stderr()) {
                    e.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // gone
                }
            });
            byte[] out;
            try (InputStream in = p.stdout()) {
                // Past this the service is refused; closing its output ends a runaway one.
                out = in.readNBytes(MAX_PASSPHRASE_OUTPUT + 1);
            }
            if (p.waitFor() != 0 || out.length > MAX_PASSPHRASE_OUTPUT) {
                throw new QubesException("Failed to retrieve passphrase from '" + passVm.name() + "' VM");
            }
            String s = new String(out, StandardCharsets.UTF_8).strip();
            if (s.contains("\n")) {
                throw new QubesException("Failed to retrieve passphrase from '" + passVm.name() + "' VM");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** qubes.BackupPassphrase output past this is refused, not cut. */
    static final int MAX_PASSPHRASE_OUTPUT = 4096;

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Called by the writer; fires an event per whole percent and stops a cancelled run. */
    private void progress(long doneBytes, long totalBytes) {
        checkCancelled();
        double pct = totalBytes <= 0 ? 100.0 : Math.min(100.0, doneBytes * 100.0 / totalBytes);
        if (pct - lastPercent < 1.0 && pct < 100.0) {
            return;
        }
        if (pct == lastPercent) {
            return;
        }
        lastPercent = pct;
        synchronized (app.lock()) {
            app.events().fire(Notice.of("", "backup-progress", "backup_profile", profile.name(),
                    "progress", Double.toString(Math.round(pct * 100) / 100.0)));
        }
    }

    private void checkCancelled() {
        if (cancelled) {
            throw new BackupCancelledError("Backup cancelled");
        }
    }

    void cancel() {
        cancelled = true;
        BackupTarget t = target;
        if (t != null) {
            // Unblocks a writer waiting on a slow receiver; the run then ends as cancelled.
            t.abort();
        }
    }

    /** Read holding the system lock. */
    boolean done() {
        return done;
    }

    /** Read holding the system lock, after {@link #done()}. */
    RuntimeException failure() {
        return failure;
    }

    String target() {
        BackupTarget t = target;
        return t == null ? "(none)" : t.describe();
    }

}
