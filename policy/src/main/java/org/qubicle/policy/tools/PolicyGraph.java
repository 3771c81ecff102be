package org.qubicle.policy.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.qubicle.policy.Decision;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.Request;
import org.qubicle.policy.Rule;
import org.qubicle.policy.SystemInfo;
import org.qubicle.policy.json.Json;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qrexec-policy-graph}: draws who may call what. For every service named in the policy,
 * every qube as caller and every possible target (each qube, {@code @dispvm}, each
 * {@code @dispvm:X}, {@code @default}), the policy is evaluated; an allow is a solid edge to
 * where the call lands, an ask (with {@code --include-ask}) dashed edges to each choice.
 * Prints Graphviz dot, or renders it with {@code dot} for {@code --output FILE.png|svg|pdf}.
 */
@Command(name = "qrexec-policy-graph", mixinStandardHelpOptions = true,
        description = "Graph the calls the qrexec policy allows.")
public final class PolicyGraph implements Callable<Integer> {

    @Option(names = "--policy-dir", paramLabel = "DIR", description = "Policy directory (default $QUBES_ROOT/etc/qubes/policy.d).")
    Path policyDir;

    @Option(names = {"--system", "--system-info"}, required = true, paramLabel = "FILE",
            description = "System description (internal.GetSystemInfo JSON).")
    Path system;

    @Option(names = "--service", paramLabel = "SERVICE[+ARG]", description = "Only these services (repeatable).")
    List<String> services;

    @Option(names = "--include-ask", description = "Also draw ask choices (dashed).")
    boolean includeAsk;

    @Option(names = "--output", paramLabel = "FILE", description = "Write here; .png/.svg/.pdf are rendered with Graphviz dot.")
    Path output;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PolicyGraph()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        SystemInfo info = SystemInfo.fromJson(Json.parse(Files.readString(system)));
        Policy policy = PolicyEngine.open(List.of(policyDir != null ? policyDir : PolicyEval.defaultDir())).policy();
        if (policy.error().isPresent()) {
            System.err.println("qrexec-policy-graph: policy error: " + policy.error().get());
            return 1;
        }
        String dot = dot(policy, info, services, includeAsk);
        if (output == null) {
            System.out.print(dot);
            return 0;
        }
        String name = output.getFileName().toString();
        int dotAt = name.lastIndexOf('.');
        String format = dotAt < 0 ? "" : name.substring(dotAt + 1);
        if (format.equals("dot") || format.equals("gv") || format.isEmpty()) {
            Files.writeString(output, dot);
            return 0;
        }
        return render(dot, format, output);
    }

    /** The dot text for {@code policy}, limited to {@code only} services when given. */
    static String dot(Policy policy, SystemInfo info, List<String> only, boolean includeAsk) {
        Set<String> calls = new TreeSet<>();
        for (Rule r : policy.rules()) {
            if (r.service() != null) {
                calls.add(r.service() + (r.argument() == null ? "+" : r.argument()));
            }
        }
        if (only != null) {
            calls.addAll(only);
            calls.removeIf(c -> !only.contains(c) && !only.contains(c.substring(0, c.indexOf('+') < 0 ? c.length() : c.indexOf('+'))));
        }
        List<String> names = info.qubes().stream().map(QubeInfo::name).toList();
        List<String> targets = new ArrayList<>(names);
        targets.add("@dispvm");
        info.qubes().stream().filter(QubeInfo::templateForDispvms).forEach(q -> targets.add("@dispvm:" + q.name()));
        targets.add("@default");
        Set<String> edges = new LinkedHashSet<>();
        for (String call : calls) {
            for (String source : names) {
                for (String target : targets) {
                    Decision d = policy.evaluate(info, Request.of(source, target, call));
                    if (d instanceof Decision.Allowed a) {
                        edges.add(edge(source, a.target(), call, false));
                    } else if (includeAsk && d instanceof Decision.AskUser a) {
                        for (String t : a.targets()) {
                            edges.add(edge(source, t, call, true));
                        }
                    }
                }
            }
        }
        StringBuilder b = new StringBuilder("digraph g {\n");
        edges.forEach(b::append);
        return b.append("}\n").toString();
    }

    private static String edge(String from, String to, String label, boolean ask) {
        return "  " + quote(from) + " -> " + quote(to) + " [label=" + quote(label)
                + (ask ? " style=dashed" : "") + "];\n";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static int render(String dot, String format, Path output) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("dot", "-T" + format, "-o", output.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.err.println("qrexec-policy-graph: cannot render " + format
                    + ": Graphviz 'dot' is not installed (apt-get install graphviz), or write --output FILE.dot");
            return 1;
        }
        try (var in = p.getOutputStream()) {
            in.write(dot.getBytes(StandardCharsets.UTF_8));
        }
        int rc = p.waitFor();
        if (rc != 0) {
            System.err.println("qrexec-policy-graph: dot failed with status " + rc);
            return 1;
        }
        return 0;
    }
}
