package org.qubicle.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-notes}: read and change a qube's notes (docs/cli.md). */
@Command(name = "qvm-notes", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manipulate qube notes.",
        footer = "Each qube's notes are limited to 256KB of clear text.")
public final class QvmNotes extends QubesTool {
    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation; assume yes.")
    boolean force;

    @ArgGroup(exclusive = true)
    Action action = new Action();

    static final class Action {
        @Option(names = {"-e", "--edit"}, description = "Edit the notes in $VISUAL or $EDITOR (the default action).")
        boolean edit;

        @Option(names = {"-p", "--print"}, description = "Print the notes.")
        boolean print;

        @Option(names = {"-i", "--import"}, paramLabel = "FILENAME", description = "Import the notes from a file.")
        Path importFile;

        @Option(names = {"-s", "--set"}, paramLabel = "'NOTES'", description = "Set the notes to this text.")
        String set;

        @Option(names = "--append", paramLabel = "'NOTES'", description = "Append this text to the notes.")
        String append;

        @Option(names = {"-d", "--delete"}, description = "Delete the notes.")
        boolean delete;
    }

    public static void main(String[] args) {
        ToolRunner.main(new QvmNotes(), args);
    }

    @Override
    int run() throws IOException, InterruptedException {
        Qubes qubes = qubes();
        qubes.require(vm);
        Action a = action == null ? new Action() : action;
        try {
            if (a.print) {
                out().println(get());
            } else if (a.set != null) {
                set(a.set);
            } else if (a.importFile != null) {
                set(Files.readString(a.importFile, StandardCharsets.UTF_8));
            } else if (a.append != null) {
                String notes = get();
                int nl = notes.lastIndexOf('\n');
                if (!notes.substring(nl + 1).isEmpty()) {
                    notes += "\n";
                }
                set(notes + a.append);
            } else if (a.delete) {
                if (!force) {
                    out().println("You are about to delete existing qube notes");
                    out().print("Are you certain? [y/N]");
                    out().flush();
                    String answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
                    if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
                        return 2;
                    }
                }
                set("");
            } else {
                return edit();
            }
        } catch (QubesException e) {
            log("root", "Unable to process qube notes: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private String get() {
        return qubes().call(vm, "admin.vm.notes.Get", null, null);
    }

    private void set(String notes) {
        qubes().call(vm, "admin.vm.notes.Set", null, notes);
    }

    private int edit() throws IOException, InterruptedException {
        Path temp = Files.createTempFile(vm + "_qube_", "_notes.txt");
        try {
            Files.writeString(temp, get(), StandardCharsets.UTF_8);
            var before = Files.getLastModifiedTime(temp);
            Process p = new ProcessBuilder("sh", "-c", "${VISUAL:-${EDITOR:-vi}} \"$0\"",
                    temp.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw runtime("editor failed");
            }
            if (!before.equals(Files.getLastModifiedTime(temp))) {
                set(Files.readString(temp, StandardCharsets.UTF_8));
            }
            return 0;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
