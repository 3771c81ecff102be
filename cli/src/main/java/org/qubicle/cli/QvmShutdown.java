package org.qubicle.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMError;
import org.qubicle.model.exc.QubesVMNotRunningError;
import org.qubicle.model.exc.QubesVMNotStartedError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qvm-shutdown}: as qubesadmin's tool, in rounds (so a netvm goes down after its
 * clients with {@code --wait}), killing what is still up after {@code --timeout}. Exit code:
 * the number of qubes that failed.
 */
@Command(name = "qvm-shutdown", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Shutdown a qube.")
public final class QvmShutdown extends PowerTool {
    @Option(names = "--wait", description = "wait for the VMs to shut down")
    boolean await;

    @Option(names = "--timeout", paramLabel = "TIMEOUT",
            description = "timeout after which domains are killed when using --wait (default: 60)")
    double timeout = 60;

    @Option(names = "--force", description = "force shutdown regardless of connected domains; use with caution")
    boolean force;

    public static void main(String[] args) {
        ToolRunner.main(new QvmShutdown(), args);
    }

    @Override
    int run() throws InterruptedException {
        List<QubeEntry> domains = domains();
        boolean forced = force || all;
        Set<String> remaining = new LinkedHashSet<>(domains.stream().map(QubeEntry::name).toList());
        for (int round = 0; round < domains.size() && !remaining.isEmpty(); round++) {
            Set<String> thisRound = new LinkedHashSet<>(remaining);
            remaining.clear();
            for (String vm : thisRound) {
                try {
                    qubes().call(vm, "admin.vm.Shutdown", forced ? "force" : null, null);
                } catch (QubesVMNotRunningError | QubesVMNotStartedError e) {
                    // already down
                } catch (QubesException e) {
                    if (!await) {
                        err().println(vm + ": Shutdown error: " + e.getMessage());
                    } else {
                        remaining.add(vm);
                    }
                }
            }
            if (!await) {
                if (!remaining.isEmpty()) {
                    throw new ToolExit(remaining.size(), "Failed to shut down: " + String.join(", ", remaining));
                }
                return 0;
            }
            thisRound.removeAll(remaining);
            if (thisRound.isEmpty()) {
                break;
            }
            waitOrKill(new ArrayList<>(thisRound));
        }
        List<String> failed = new ArrayList<>();
        for (QubeEntry d : domains) {
            String state = state(d.name());
            if (!(state.equals("Halted") || (d.klass().equals("DispVM") && state.equals("NA")))) {
                failed.add(d.name());
            }
        }
        if (!failed.isEmpty()) {
            throw new ToolExit(failed.size(), "Failed to shut down: " + String.join(", ", failed));
        }
        return 0;
    }

    private void waitOrKill(List<String> vms) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (timeout * 1e9);
        List<String> up = vms;
        while (true) {
            up = up.stream().filter(vm -> !state(vm).equals("Halted") && !state(vm).equals("NA")).toList();
            if (up.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        if (!up.isEmpty()) {
            log("qubesadmin.app", "Killing remaining qubes: " + String.join(", ", up));
        }
        for (String vm : up) {
            try {
                qubes().call(vm, "admin.vm.Kill", null, null);
            } catch (QubesVMNotStartedError e) {
                // already down
            } catch (QubesVMError e) {
                throw runtime(e.getMessage());
            }
        }
    }

    /** The power state; NA for a qube that no longer exists (a removed disposable). */
    private String state(String vm) {
        try {
            return powerState(vm);
        } catch (QubesException e) {
            return "NA";
        }
    }
}
