package org.qubicle.backup.tools;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.qubicle.api.client.AdminClient;
import org.qubicle.backup.BackupReader;
import org.qubicle.backup.Passphrase;
import org.qubicle.backup.ReaderOptions;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qvm-backup-restore}: restores qubes from a Qubes backup (format 4) into the
 * running daemon through the Admin API, as qubesadmin's restore does. The backup is read
 * once, authenticated chunk by chunk, and staged completely before any qube is created.
 */
@Command(name = "qvm-backup-restore", mixinStandardHelpOptions = true,
        description = "Restore Qubes machines from backup.")
public final class QvmBackupRestore implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "backup_location",
            description = "Backup file; with --dest-vm, a file in that qube or a command whose output is the backup.")
    String location;

    @Parameters(index = "1..*", paramLabel = "VM", description = "Restore only these qubes.")
    List<String> vms = new ArrayList<>();

    @Option(names = {"-d", "--dest-vm"}, paramLabel = "APPVM",
            description = "Specify VM containing the backup to be restored.")
    String backupVm;

    @Option(names = "--verify-only", description = "Do not restore the data, only verify backup integrity.")
    boolean verifyOnly;

    @Option(names = "--dry-run", description = "Show what would be restored, and restore nothing.")
    boolean dryRun;

    @Option(names = {"-x", "--exclude"}, paramLabel = "EXCLUDE", description = "Skip restore of this qube (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--rename-conflicting", description = "Restore qubes that exist on the host under another name.")
    boolean renameConflicting;

    @Option(names = "--skip-broken", description = "Do not restore qubes whose template or netvm is missing.")
    boolean skipBroken;

    @Option(names = "--ignore-missing",
            description = "Restore qubes whose template or netvm is missing, with the default one instead.")
    boolean ignoreMissing;

    @Option(names = "--ignore-size-limit", description = "Ignore the size limits declared in the backup.")
    boolean ignoreSizeLimit;

    @Option(names = {"-p", "--passphrase-file"}, paramLabel = "PASSPHRASE_FILE",
            description = "Read the passphrase from this file ('-': standard input).")
    String passphraseFile;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = {"-v", "--verbose"}, description = "Say what is done.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private AdminClient client;
    private InputStream stdin = System.in;

    public static void main(String[] args) {
        ToolMain.main(new QvmBackupRestore(), args);
    }

    /** For tests and in-process callers. */
    public QvmBackupRestore with(AdminClient c, InputStream in) {
        this.client = c;
        this.stdin = in;
        return this;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (verifyOnly && dryRun) {
            throw new ToolMain.UsageException("--verify-only and --dry-run exclude each other");
        }
        Passphrase pass = PassphraseInput.read(passphraseFile, false, stdin);
        // From a qube the size is not known: no bar for the reading, only for the import.
        long size = backupVm == null ? Files.size(Path.of(location)) : -1;
        ProgressBar readBar = new ProgressBar(err, verifyOnly ? "Verifying" : "Extracting",
                !quiet && !dryRun && size >= 0);
        InputStream raw = backupVm == null ? Files.newInputStream(Path.of(location))
                : QubeSource.open(AdminClient.root(), backupVm, location);
        InputStream in = new BufferedInputStream(new CountingInput(raw,
                n -> readBar.update(n * 100.0 / Math.max(1, size), n)), 1 << 20);
        ReaderOptions ro = ReaderOptions.defaults().withIgnoreSizeLimit(ignoreSizeLimit);
        try (BackupReader reader = BackupReader.open(in, pass, ro)) {
            if (verifyOnly) {
                reader.verify();
                readBar.update(100, size);
                readBar.done();
                out.println("Backup verified successfully: " + reader.backedUpQubes().size() + " qube(s)");
                return 0;
            }
            AdminCalls api = new AdminCalls(client != null ? client : AdminClient.local());
            RestorePlan plan = RestorePlan.make(reader.backedUpQubes(), api.qubes(), api.global("default_template"),
                    api.global("default_dispvm"), new RestorePlan.Options(vms, exclude, renameConflicting,
                            skipBroken, ignoreMissing));
            out.print(plan.table());
            out.flush();
            List<String> problems = plan.problems();
            if (!problems.isEmpty()) {
                throw new QubesException("Unable to restore the backup: " + String.join("; ", problems)
                        + " (use --skip-broken or --ignore-missing)");
            }
            if (dryRun) {
                out.println("Dry run: nothing restored.");
                return 0;
            }
            if (plan.restoring().isEmpty()) {
                out.println("Nothing to restore.");
                return 0;
            }
            if (!yes && System.console() != null && !confirm(out)) {
                return 1;
            }
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Path staging = Files.createTempDirectory(tmp, "qvm-backup-restore-");
            ProgressBar importBar = new ProgressBar(err, "Importing", !quiet);
            new Restorer(api, err, verbose).restore(reader, plan, staging, readBar::done, importBar);
            readBar.done();
            out.println("-> Done.");
            return 0;
        } finally {
            readBar.done();
        }
    }

    private boolean confirm(PrintWriter out) throws IOException {
        out.print("Do you want to proceed? [y/N] ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
        return answer != null && answer.strip().equalsIgnoreCase("y");
    }
}
