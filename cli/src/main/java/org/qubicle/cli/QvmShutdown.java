package org.qubicle.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMInUseError;
import org.qubicle.model.exc.QubesVMNotStartedError;
import org.qubicle.model.exc.QubesVMShutdownTimeoutError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qvm-shutdown}: as qubesadmin's tool (2026): all qubes at once, qubes in use by
 * others retried, timed-out ones retried once and then killed; errors as
 * {@code Error: Failed to shut down: NAME: reason}. Exit code: the number of qubes that
 * failed. {@code --all} without {@code --exclude} implies {@code --force}.
 */
@Command(name = "qvm-shutdown", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Shutdown a qube.")
public final class QvmShutdown extends PowerTool {
    @Option(names = "--wait", description = "wait for the VMs to shut down")
    boolean await;

    @Option(names = "--timeout", paramLabel = "TIMEOUT",
            description = "Deprecated, use --wait instead. Setting this option will enable --wait")
    String timeout;

    @Option(names = "--force", description = "shut down even if other qubes depend on this one (e.g. as NetVM or "
            + "AudioVM); does not affect how the qube itself is shut down; use with caution")
    boolean force;

    @Option(names = "--dry-run", description = "don't really shutdown or kill the domains; useful with --wait")
    boolean dryRun;

    public static void main(String[] args) {
        ToolRunner.main(new QvmShutdown(), args);
    }

    /**
     * As qubesadmin's {@code qvm_shutdown.run_async}: every qube at once (the daemon waits
     * with {@code wait}); qubes in use by others are retried, once per such qube, while that
     * makes progress; qubes that timed out are retried once and then killed. Exit code: the
     * number of qubes not shut down.
     */
    @Override
    int run() throws InterruptedException {
        List<QubeEntry> domains = domains();
        if (dryRun) {
            return 0;
        }
        if (timeout != null) {
            err().println("FutureWarning: Call to deprecated --timeout option, use --wait instead");
            await = true;
        }
        boolean forced = force || (all && exclude.isEmpty());
        List<String> names = domains.stream().map(QubeEntry::name).toList();
        Map<String, QubesException> failed = shutdown(names, forced);
        Map<String, QubesException> used = only(failed, QubesVMInUseError.class);
        Map<String, QubesException> timedout = only(failed, QubesVMShutdownTimeoutError.class);
        Map<String, QubesException> unhandled = new LinkedHashMap<>(failed);
        unhandled.keySet().removeAll(used.keySet());
        unhandled.keySet().removeAll(timedout.keySet());
        if (!used.isEmpty()) {
            error("Retrying shutdown of qubes that were in use for " + used.size() + " time(s)");
        }
        int previous = failed.size();
        for (int i = 0, n = used.size(); i < n && !used.isEmpty(); i++) {
            error("Retrying shutdown of qubes that were in use: " + String.join(", ", used.keySet()));
            Map<String, QubesException> again = shutdown(List.copyOf(used.keySet()), forced);
            used = only(again, QubesVMInUseError.class);
            Map<String, QubesException> t = only(again, QubesVMShutdownTimeoutError.class);
            timedout.putAll(t);
            again.keySet().removeAll(used.keySet());
            again.keySet().removeAll(t.keySet());
            unhandled.putAll(again);
            int now = used.size() + t.size() + again.size();
            if (now == 0 || now == previous) {
                break;
            }
            previous = now;
        }
        if (!timedout.isEmpty()) {
            error("Retrying shutdown of qubes that timed out: " + String.join(", ", timedout.keySet()));
            Map<String, QubesException> again = shutdown(List.copyOf(timedout.keySet()), forced);
            timedout = only(again, QubesVMShutdownTimeoutError.class);
            again.keySet().removeAll(timedout.keySet());
            unhandled.putAll(again);
        }
        if (!timedout.isEmpty()) {
            error("Killing timed out qubes: " + String.join(", ", timedout.keySet()));
            timedout = act(List.copyOf(timedout.keySet()), "admin.vm.Kill", null);
        }
        int code = 0;
        for (Map<String, QubesException> m : List.of(unhandled, used, timedout)) {
            for (Map.Entry<String, QubesException> e : m.entrySet()) {
                error("Failed to shut down: " + e.getKey() + ": " + e.getValue().getMessage());
                code++;
            }
        }
        return code;
    }

    private void error(String message) {
        err().println("Error: " + message);
        err().flush();
    }

    private Map<String, QubesException> shutdown(List<String> vms, boolean forced) throws InterruptedException {
        String arg = forced ? (await ? "force+wait" : "force") : (await ? "wait" : null);
        return act(vms, "admin.vm.Shutdown", arg);
    }

    /** Calls {@code method} on every qube at once; the failures, in the qubes' order (not-started ignored). */
    private Map<String, QubesException> act(List<String> vms, String method, String arg) throws InterruptedException {
        Map<String, QubesException> failed = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (String vm : vms) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    qubes().call(vm, method, arg, null);
                } catch (QubesVMNotStartedError e) {
                    // already down
                } catch (QubesException e) {
                    failed.put(vm, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        Map<String, QubesException> ordered = new LinkedHashMap<>();
        vms.stream().filter(failed::containsKey).forEach(vm -> ordered.put(vm, failed.get(vm)));
        return ordered;
    }

    private static Map<String, QubesException> only(Map<String, QubesException> m, Class<?> type) {
        Map<String, QubesException> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (type.isInstance(v)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
