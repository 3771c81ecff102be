package org.qubicle.policy.tools;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.qubicle.policy.Decision;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;
import org.qubicle.policy.json.Json;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qrexec-policy-eval}: evaluates qrexec calls against a policy.
 *
 * <ul>
 *   <li>{@code --jsonl}: conformance cases on stdin, one decision line per case on stdout;</li>
 *   <li>{@code SOURCE TARGET SERVICE+ARG --system FILE}: one call against
 *       {@code $QUBES_ROOT/etc/qubes/policy.d} (or {@code --policy-dir}), printing the daemon's
 *       answer; exit 0 on allow, 1 otherwise.</li>
 * </ul>
 */
@Command(name = "qrexec-policy-eval", mixinStandardHelpOptions = true,
        description = "Evaluate qrexec calls against the qrexec policy.")
public final class PolicyEval implements Callable<Integer> {
    /** One case is a few KiB; a line past this is refused. */
    static final int MAX_LINE_CHARS = 64 << 20;

    @Option(names = "--jsonl", description = "Read conformance cases (JSON Lines) on stdin.")
    boolean jsonl;

    @Option(names = "--system", paramLabel = "FILE", description = "System description (internal.GetSystemInfo JSON).")
    Path system;

    @Option(names = "--policy-dir", paramLabel = "DIR", description = "Policy directory (repeatable, first wins).")
    List<Path> policyDirs;

    @Parameters(arity = "0..3", paramLabel = "SOURCE TARGET SERVICE+ARG")
    List<String> call;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PolicyEval()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (jsonl) {
            return runJsonl();
        }
        if (call == null || call.size() != 3 || system == null) {
            System.err.println("qrexec-policy-eval: give --jsonl, or SOURCE TARGET SERVICE+ARG with --system FILE");
            return 2;
        }
        SystemInfo info = SystemInfo.fromJson(Json.parse(Files.readString(system)));
        PolicyEngine engine = PolicyEngine.open(policyDirs != null ? policyDirs : List.of(defaultDir()));
        Decision d = engine.evaluate(info, Request.of(call.get(0), call.get(1), call.get(2)));
        System.out.println(switch (d) {
            case Decision.Allowed a -> a.response();
            case Decision.AskUser a -> "result=ask\ntargets=" + String.join(",", a.targets())
                    + "\ndefault_target=" + (a.defaultTarget() == null ? "" : a.defaultTarget());
            default -> "result=deny";
        });
        if (d instanceof Decision.Failed f) {
            System.err.println("qrexec-policy-eval: " + f.detail());
        }
        return d instanceof Decision.Allowed ? 0 : 1;
    }

    static Path defaultDir() {
        String root = System.getenv().getOrDefault("QUBES_ROOT", "/");
        return Path.of(root, "etc/qubes/policy.d");
    }

    private static int runJsonl() throws IOException {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        String untrustedLine;
        while ((untrustedLine = in.readLine()) != null) {
            if (untrustedLine.isBlank()) {
                continue;
            }
            out.println(Json.write(answer(untrustedLine)));
            out.flush();
        }
        return 0;
    }

    /** The decision line for one case line; a malformed case gets an error object, never a crash. */
    static Map<String, Object> answer(String untrustedLine) {
        try {
            if (untrustedLine.length() > MAX_LINE_CHARS) {
                throw new IllegalArgumentException("case too long");
            }
            if (!(Json.parse(untrustedLine) instanceof Map<?, ?> c)) {
                throw new IllegalArgumentException("case is not an object");
            }
            return DecisionJson.of(ConformanceCase.evaluate(c));
        } catch (RuntimeException e) {
            return Map.of("result", "error", "error", "input", "detail", String.valueOf(e.getMessage()));
        }
    }
}
