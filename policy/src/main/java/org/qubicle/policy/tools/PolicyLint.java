package org.qubicle.policy.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicyError;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qubes-policy-lint FILE...}: checks policy files one by one, printing
 * {@code file:line: error: message} for every bad line. Includes are checked for syntax but not
 * followed, so a file can be checked wherever it lies. Exit 0 when clean, 1 on any error.
 */
@Command(name = "qubes-policy-lint", mixinStandardHelpOptions = true,
        description = "Check qrexec policy files for errors.")
public final class PolicyLint implements Callable<Integer> {

    @Option(names = {"-i", "--include-service"},
            description = "The files are 3-column files included with !include-service.")
    boolean legacy;

    @Option(names = {"-s", "--show-line"}, description = "Show the offending line.")
    boolean showLine;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to check; - reads stdin.")
    List<String> files;

    private PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PolicyLint()).execute(args));
    }

    /** Runs with output to {@code out}; returns the exit code. */
    static int run(PrintStream out, String... args) {
        PolicyLint lint = new PolicyLint();
        lint.out = out;
        return new CommandLine(lint).execute(args);
    }

    @Override
    public Integer call() {
        boolean bad = false;
        for (String f : files) {
            String text;
            try {
                text = f.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(f));
            } catch (IOException e) {
                out.println(f + ":0: error: cannot read: " + e.getMessage());
                bad = true;
                continue;
            }
            String name = f.equals("-") ? "-" : Path.of(f).getFileName().toString();
            if (!legacy && name.endsWith(".policy") && !name.startsWith(".") && !Policy.validFileName(name)) {
                out.println(f + ":0: error: invalid file name (only 0-9 a-z _ . - ); "
                        + "it would make the whole policy fail to load");
                bad = true;
            }
            List<String> lines = text.lines().toList();
            for (PolicyError e : Policy.lint(f, text, legacy)) {
                String msg = e.file() + ":" + e.line() + ": error: " + e.message();
                if (showLine && e.line() >= 1 && e.line() <= lines.size()) {
                    msg += ": " + lines.get(e.line() - 1).strip();
                }
                out.println(msg);
                bad = true;
            }
        }
        out.flush();
        return bad ? 1 : 0;
    }
}
