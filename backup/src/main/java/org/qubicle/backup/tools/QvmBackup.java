package org.qubicle.backup.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.qubicle.api.client.AdminClient;
import org.qubicle.api.client.Event;
import org.qubicle.api.client.EventStream;
import org.qubicle.backup.Passphrase;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qvm-backup}: as qubesadmin's tool, it writes a temporary profile in
 * {@code $QUBES_ROOT/etc/qubes/backup}, shows {@code admin.backup.Info}, and runs
 * {@code admin.backup.Execute} while drawing {@code backup-progress} events. The daemon
 * writes the archive. {@code -} as the location streams it to standard output through a
 * FIFO that the daemon writes and this tool copies.
 */
@Command(name = "qvm-backup", mixinStandardHelpOptions = true, description = "Create a backup of Qubes.")
public final class QvmBackup implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "backup_location",
            description = "Backup location: a file or directory, '-' for standard output, or (with --dest-vm) "
                    + "a directory or command in that qube.")
    String location;

    @Parameters(index = "1..*", paramLabel = "VM", description = "Backup only these qubes (default: every qube "
            + "with include_in_backups).")
    List<String> vms = new ArrayList<>();

    @Option(names = {"-x", "--exclude"}, paramLabel = "EXCLUDE", description = "Exclude this qube (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = {"-d", "--dest-vm"}, paramLabel = "APPVM", description = "Qube that receives the backup.")
    String destVm;

    @Option(names = {"-p", "--passphrase-file"}, paramLabel = "PASSPHRASE_FILE",
            description = "Read the passphrase from this file ('-': standard input).")
    String passphraseFile;

    @Option(names = {"-Z", "--compress-filter"}, paramLabel = "COMPRESSION",
            description = "Compression: gzip (default), zstd, xz or none.")
    String compression = "gzip";

    @Option(names = "--no-compress", description = "Do not compress (same as --compress-filter none).")
    boolean noCompress;

    @Option(names = "--profile", paramLabel = "PROFILE",
            description = "Run the profile $QUBES_ROOT/etc/qubes/backup/PROFILE.conf; excludes the other options.")
    String profile;

    @Option(names = "--save-profile", paramLabel = "SAVE_PROFILE",
            description = "Save the options as this profile, and run it.")
    String saveProfile;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = {"-q", "--quiet"}, description = "No summary and no progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private AdminClient client;
    private InputStream stdin = System.in;
    private OutputStream stdout = System.out;

    public static void main(String[] args) {
        ToolMain.main(new QvmBackup(), args);
    }

    /** For tests and in-process callers. */
    public QvmBackup with(AdminClient c, InputStream in, OutputStream out) {
        this.client = c;
        this.stdin = in;
        this.stdout = out;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminClient api = client != null ? client : AdminClient.local();
        Path profileDir = AdminClient.root().resolve("etc/qubes/backup");
        boolean toStdout = "-".equals(location) && destVm == null && profile == null;
        PrintWriter info = toStdout ? err : out;
        String name;
        Path temp = null;
        Path fifoDir = null;
        if (profile != null) {
            if (location != null || !vms.isEmpty() || !exclude.isEmpty() || destVm != null || passphraseFile != null
                    || saveProfile != null) {
                throw new ToolMain.UsageException("--profile cannot be combined with other options");
            }
            name = profile;
        } else {
            if (location == null) {
                throw new ToolMain.UsageException("the following arguments are required: backup_location");
            }
            String filter = noCompress ? "none" : compression;
            if (!List.of("gzip", "zstd", "xz", "none").contains(filter)) {
                throw new ToolMain.UsageException("unsupported compression filter: " + filter
                        + " (gzip, zstd, xz or none)");
            }
            String dest = location;
            if (toStdout) {
                fifoDir = Files.createTempDirectory("qvm-backup-");
                Path fifo = fifoDir.resolve("stream");
                Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start();
                if (p.waitFor() != 0) {
                    throw new QubesException("cannot create a FIFO for standard output");
                }
                dest = fifo.toString();
            } else if (destVm == null) {
                dest = Path.of(location).toAbsolutePath().toString();
            }
            Passphrase pass = PassphraseInput.read(passphraseFile, true, stdin);
            name = saveProfile != null ? saveProfile : "qvm-backup-tmp-" + ProcessHandle.current().pid();
            Path file = ProfileFile.write(profileDir, name, destVm == null ? "dom0" : destVm, dest,
                    vms.isEmpty() ? null : vms, exclude, pass.reveal(), filter);
            if (saveProfile == null) {
                temp = file;
            }
        }
        try {
            String summary = api.callText("dom0", "admin.backup.Info", name, null);
            if (!quiet) {
                info.print(summary);
                info.flush();
            }
            if (!yes) {
                if (toStdout || System.console() == null) {
                    throw new QubesException("Not confirmed: give --yes when there is no terminal to ask");
                }
                err.print("Do you want to proceed? [y/N] ");
                err.flush();
                String a = new BufferedReader(new InputStreamReader(stdin)).readLine();
                if (a == null || !a.strip().equalsIgnoreCase("y")) {
                    return 1;
                }
            }
            return execute(api, name, err, fifoDir == null ? null : fifoDir.resolve("stream"));
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
            if (fifoDir != null) {
                Files.deleteIfExists(fifoDir.resolve("stream"));
                Files.deleteIfExists(fifoDir);
            }
        }
    }

    private int execute(AdminClient api, String name, PrintWriter err, Path fifo) throws Exception {
        ProgressBar bar = new ProgressBar(err, "Backup", !quiet);
        EventStream events = api.events("dom0");
        Thread watcher = Thread.ofVirtual().start(() -> {
            try {
                for (Event e = events.next(); e != null; e = events.next()) {
                    Map<String, String> kw = e.kwargs();
                    if (e.name().equals("backup-progress") && name.equals(kw.get("backup_profile"))) {
                        bar.update(Double.parseDouble(kw.getOrDefault("progress", "0")), -1);
                    }
                }
            } catch (IOException | RuntimeException ex) {
                // the stream ends when the backup is over and it is closed
            }
        });
        Thread hook = new Thread(() -> {
            try {
                api.callText("dom0", "admin.backup.Cancel", name, null);
            } catch (RuntimeException ex) {
                // not running any more
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread copier = null;
        try {
            if (fifo != null) {
                copier = Thread.ofVirtual().start(() -> {
                    try (InputStream in = Files.newInputStream(fifo)) {
                        in.transferTo(stdout);
                        stdout.flush();
                    } catch (IOException ex) {
                        failure.compareAndSet(null, new QubesException("copying the backup to standard output: "
                                + ex.getMessage()));
                    }
                });
            }
            try {
                api.callText("dom0", "admin.backup.Execute", name, null);
            } finally {
                if (copier != null) {
                    // If the daemon failed before opening the FIFO, the reader still waits in open().
                    // If the daemon failed before opening the FIFO, the reader still waits in open():
                    // give it a writer that closes at once. O_RDWR never blocks on a FIFO.
                    while (!copier.join(java.time.Duration.ofMillis(200))) {
                        try (var unblock = java.nio.channels.FileChannel.open(fifo, StandardOpenOption.READ,
                                StandardOpenOption.WRITE)) {
                            unblock.size();
                        } catch (IOException ex) {
                            // the FIFO is gone
                        }
                    }
                }
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            bar.update(100, -1);
            bar.done();
            err.println("Backup finished.");
            return 0;
        } finally {
            bar.done();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ex) {
                // shutting down already
            }
            events.close();
            watcher.join();
        }
    }
}
