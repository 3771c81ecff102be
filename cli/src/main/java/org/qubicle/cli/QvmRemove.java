package org.qubicle.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMInUseError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-remove}: remove qubes (docs/cli.md). */
@Command(name = "qvm-remove", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Remove domains from the system.")
public final class QvmRemove extends QubesTool {
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation.")
    boolean force;

    @Option(names = "--all", description = "Remove all qubes (except dom0).")
    boolean all;

    @Option(names = "--exclude", paramLabel = "NAME", description = "Exclude the qube from --all.")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", arity = "0..*", completionCandidates = QubeNames.class,
            description = "Qubes to remove (wildcards allowed).")
    List<String> names = new ArrayList<>();

    private BufferedReader stdin;

    public static void main(String[] args) {
        ToolRunner.main(new QvmRemove(), args);
    }

    @Override
    int run() throws IOException {
        if (all && !names.isEmpty()) {
            throw usage("argument --all: not allowed with argument VMNAME");
        }
        if (!all && names.isEmpty()) {
            throw usage("one of the arguments --all VMNAME is required");
        }
        Qubes qubes = qubes();
        List<QubeEntry> domains = qubes.resolve(names, all, exclude);
        if (domains.stream().anyMatch(d -> d.name().equals(Qubes.DOM0))) {
            err().println("Domain 'dom0' cannot be removed.");
            return 1;
        }
        if (all && !(force || !exclude.isEmpty())) {
            err().println("WARNING!!! Removing all domains may leave your system in an "
                    + "unrecoverable state!");
            if (!"IKNOWWHATIAMDOING".equals(ask("Are you certain? [N/IKNOWWHATIAMDOING]"))) {
                err().println("Remove cancelled.");
                return 1;
            }
        }
        if (!force) {
            err().println("This will completely remove the selected VM(s)...");
            for (QubeEntry d : domains) {
                out().println("  " + d.name());
            }
            String answer = ask("Are you sure? [y/N] ");
            if (answer == null || !answer.equalsIgnoreCase("y")) {
                err().println("Remove cancelled.");
                return 1;
            }
        }
        for (QubeEntry d : domains) {
            try {
                qubes.call(d.name(), "admin.vm.Remove", null, null);
            } catch (QubesVMInUseError e) {
                List<String> uses = dependencies(qubes, d.name());
                if (!uses.isEmpty()) {
                    err().println("VM " + d.name() + " cannot be removed. It is in use as:");
                    uses.forEach(u -> err().println(u));
                }
                throw runtime(e.getMessage());
            } catch (QubesException e) {
                throw runtime(e.getMessage());
            }
        }
        return 0;
    }

    private String ask(String prompt) throws IOException {
        out().print(prompt);
        out().flush();
        if (stdin == null) {
            stdin = new BufferedReader(new InputStreamReader(System.in));
        }
        String line = stdin.readLine();
        return line == null ? null : line.strip();
    }

    /** What refers to the qube: non-default qube properties of others, and globals. */
    static List<String> dependencies(Qubes qubes, String vm) {
        List<String> uses = new ArrayList<>();
        qubes.properties(null).forEach((prop, v) -> {
            if (v.type().equals("vm") && vm.equals(v.value())) {
                uses.add(" - global property " + prop);
            }
        });
        qubes.forget();
        for (QubeEntry other : qubes.domains().values()) {
            if (other.name().equals(vm)) {
                continue;
            }
            for (var entry : qubes.properties(other.name()).entrySet()) {
                PropertyValue v = entry.getValue();
                if (v.type().equals("vm") && !v.isDefault() && vm.equals(v.value())) {
                    uses.add(" - " + entry.getKey() + " for " + other.name());
                }
            }
        }
        return uses;
    }
}
