package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Shared shape of qvm-start, qvm-kill, qvm-pause and qvm-unpause: {@code VMNAME...} or
 * {@code --all [--exclude]}, one call per qube, an error line and exit 1 on failure.
 */
abstract class PowerTool extends QubesTool {
    @Option(names = "--all", description = "Act on all qubes (except dom0).")
    boolean all;

    @Option(names = "--exclude", paramLabel = "NAME", description = "Exclude the qube from --all.")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", arity = "0..*", completionCandidates = QubeNames.class,
            description = "Qubes to act on.")
    List<String> names = new ArrayList<>();

    /** The qubes named on the command line. */
    List<QubeEntry> domains() {
        if (all && !names.isEmpty()) {
            throw usage("argument --all: not allowed with argument VMNAME");
        }
        if (!all && names.isEmpty()) {
            throw usage("one of the arguments --all VMNAME is required");
        }
        return qubes().resolve(names, all, exclude);
    }

    /** The qube's power state from {@code admin.vm.CurrentState}. */
    String powerState(String vm) {
        String text = qubes().call(vm, "admin.vm.CurrentState", null, null).trim();
        for (String kv : text.split(" ")) {
            if (kv.startsWith("power_state=")) {
                return kv.substring("power_state=".length());
            }
        }
        return "NA";
    }

    /** Calls {@code method} on each qube; prints failures as qubesadmin does and counts them. */
    int each(List<QubeEntry> domains, String method, Class<? extends QubesException> ignored) {
        int failed = 0;
        for (QubeEntry d : domains) {
            try {
                qubes().call(d.name(), method, null, null);
            } catch (QubesException e) {
                if (ignored != null && ignored.isInstance(e)) {
                    continue;
                }
                err().println(toolName() + ": error: " + d.name() + ": " + e.getMessage());
                err().flush();
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
