package org.qubicle.cli;

import java.util.List;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qvm-start}: start qubes (their netvms first, server side). */
@Command(name = "qvm-start", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Start a qube.")
public final class QvmStart extends PowerTool {
    @Option(names = "--skip-if-running", description = "Do not fail if the qube is already running.")
    boolean skipIfRunning;

    public static void main(String[] args) {
        ToolRunner.main(new QvmStart(), args);
    }

    @Override
    int run() {
        List<QubeEntry> domains = domains();
        int code = 0;
        for (QubeEntry d : domains) {
            if (!powerState(d.name()).equals("Halted")) {
                if (skipIfRunning) {
                    continue;
                }
                // upstream's parser.print_error of start_expert's QubesVMAlreadyStartedError
                err().println("Error: Starting qube failed: " + d.name() + ": Domain is already running");
                code = 1;
                continue;
            }
            try {
                qubes().call(d.name(), "admin.vm.Start", null, null);
            } catch (QubesException e) {
                err().println("Error: Starting qube failed: " + d.name() + ": " + e.getMessage());
                code = 1;
            }
        }
        err().flush();
        return code;
    }
}
