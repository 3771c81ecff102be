package org.qubicle.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.api.client.QubeEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-check}: exit status says whether the qubes exist or match (docs/cli.md). */
@Command(name = "qvm-check", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Exits successfully if the provided domain(s) exist, else returns failure.")
public final class QvmCheck extends QubesTool {
    @Option(names = "--running", description = "Determine if (any of the given) qubes are running.")
    boolean running;

    @Option(names = "--paused", description = "Determine if (any of the given) qubes are paused.")
    boolean paused;

    @Option(names = "--template", description = "Determine if (any of the given) qubes are templates.")
    boolean template;

    @Option(names = "--networked", description = "Determine if (any of the given) qubes can reach the network.")
    boolean networked;

    @Option(names = "--all", description = "Check all qubes (except dom0).")
    boolean all;

    @Option(names = "--exclude", paramLabel = "NAME", description = "Exclude the qube from --all.")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", arity = "0..*", completionCandidates = QubeNames.class,
            description = "Qubes to check.")
    List<String> names = new ArrayList<>();

    public static void main(String[] args) {
        ToolRunner.main(new QvmCheck(), args);
    }

    @Override
    int run() {
        if (all && !names.isEmpty()) {
            throw usage("argument --all: not allowed with argument VMNAME");
        }
        if (!all && names.isEmpty()) {
            throw usage("one of the arguments --all VMNAME is required");
        }
        if (!all && !exclude.isEmpty()) {
            throw usage("--exclude can only be used with --all");
        }
        Qubes qubes = qubes();
        List<QubeEntry> domains = new ArrayList<>();
        Set<String> invalid = new LinkedHashSet<>();
        if (all) {
            domains.addAll(qubes.resolve(List.of(), true, exclude));
        } else {
            for (String n : names) {
                QubeEntry e = qubes.domains().get(n);
                if (e == null) {
                    invalid.add(n);
                } else {
                    domains.add(e);
                }
            }
        }
        List<String> status = new ArrayList<>();
        List<Predicate<QubeEntry>> checks = new ArrayList<>();
        if (running) {
            status.add("running");
            checks.add(e -> powerState(qubes, e).equals("Running"));
        }
        if (paused) {
            status.add("paused");
            checks.add(e -> powerState(qubes, e).equals("Paused"));
        }
        if (template) {
            status.add("template");
            checks.add(e -> e.klass().equals("TemplateVM"));
        }
        if (networked) {
            status.add("networked");
            checks.add(e -> isNetworked(qubes, e));
        }
        int code = 0;
        if (!checks.isEmpty()) {
            TreeSet<String> matching = new TreeSet<>();
            for (QubeEntry e : domains) {
                if (checks.stream().allMatch(c -> c.test(e))) {
                    matching.add(e.name());
                }
            }
            if (matching.size() != new TreeSet<>(domains.stream().map(QubeEntry::name).toList()).size()) {
                code = matching.isEmpty() ? 1 : 3;
            }
            if (matching.isEmpty()) {
                log("qvm-check", "None of qubes: " + String.join(", ", status));
            } else {
                matching.forEach(n -> log("qvm-check", n + ": " + String.join(", ", status)));
            }
        } else if (domains.isEmpty()) {
            code = 1;
        } else {
            new TreeSet<>(domains.stream().map(QubeEntry::name).toList())
                    .forEach(n -> log("qvm-check", n + ": exists"));
        }
        if (!invalid.isEmpty()) {
            invalid.forEach(n -> log("qvm-check", n + ": non-existent!"));
            code = 1;
        }
        return code;
    }

    private static String powerState(Qubes qubes, QubeEntry e) {
        String text = qubes.call(e.name(), "admin.vm.CurrentState", null, null).trim();
        for (String kv : text.split(" ")) {
            if (kv.startsWith("power_state=")) {
                return kv.substring("power_state=".length());
            }
        }
        return "NA";
    }

    /** qubesadmin's is_networked: a provider, or a qube with a netvm. */
    private static boolean isNetworked(Qubes qubes, QubeEntry e) {
        if (e.klass().equals("AdminVM")) {
            return false;
        }
        var props = qubes.properties(e.name());
        PropertyValue provides = props.get("provides_network");
        if (provides != null && provides.value().equals("True")) {
            return true;
        }
        PropertyValue netvm = props.get("netvm");
        return netvm != null && !netvm.isEmpty();
    }
}
