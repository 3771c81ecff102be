package org.qubicle.policy.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qubes-policy}: lists, prints, replaces (from stdin) and removes qrexec policy files
 * through the Policy Admin API, as upstream's tool:
 * <pre>
 *   qubes-policy [-l]                      names in policy.d (without .policy)
 *   qubes-policy -g NAME                   print NAME.policy
 *   qubes-policy -r NAME  &lt; file          replace (or create) it; refused if the policy would break
 *   qubes-policy -d NAME                   remove it
 *   -i / --include, or a name "include/NAME": the same on policy.d/include
 * </pre>
 * Exit 0 on success, 1 when the daemon refuses (its message on stderr), 2 on bad usage.
 */
@Command(name = "qubes-policy", mixinStandardHelpOptions = true,
        customSynopsis = "qubes-policy {[-l]|-g|-r|-d} [-i] [include/][RPCNAME[+ARGUMENT]]",
        description = "Manage the qrexec policy files through the Policy Admin API.")
public final class QubesPolicy implements Callable<Integer> {
    private static final Pattern RPCNAME = Pattern.compile("[A-Za-z0-9+._-]*");

    static final class Mode {
        @Option(names = {"-l", "--list"}, description = "list present policy files")
        boolean list;
        @Option(names = {"-g", "--get"}, description = "fetch the content of the policy file")
        boolean get;
        @Option(names = {"-r", "--replace"}, description = "replace given policy with the one provided on standard input")
        boolean replace;
        @Option(names = {"-d", "--remove"}, description = "remove a policy file")
        boolean remove;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode = new Mode();

    @Option(names = {"-i", "--include"}, description = "operate on files in the include subdirectory")
    boolean include;

    @Parameters(arity = "0..1", paramLabel = "[include/][name]",
            description = "qubes RPC name or file name; with \"include/\", a file in the include subdirectory")
    String name = "";

    @Spec
    CommandSpec spec;

    private final PolicyClient client;
    private final PrintStream out;

    QubesPolicy(PolicyClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.exit(new CommandLine(new QubesPolicy(PolicyClient.local(), out)).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        String n = name;
        boolean inc = include;
        if (n.equals("include") || n.startsWith("include/")) {
            n = n.equals("include") ? "" : n.substring("include/".length());
            inc = true;
        }
        if (!RPCNAME.matcher(n).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid character(s) in RPCNAME: " + n);
        }
        boolean list = !(mode.get || mode.replace || mode.remove);
        if (list && !n.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--list doesn't work with a file name");
        }
        if (!list && n.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "you need to provide a file name");
        }
        String prefix = inc ? "policy.include." : "policy.";
        try {
            if (list) {
                String names = text(client.call(prefix + "List", "", new byte[0]));
                out.println(names.endsWith("\n") ? names.substring(0, names.length() - 1) : names);
            } else if (mode.get) {
                String reply = text(client.call(prefix + "Get", n, new byte[0]));
                int nl = reply.indexOf('\n');
                out.println(reply.substring(nl + 1).stripTrailing());
            } else if (mode.replace) {
                byte[] content = System.in.readAllBytes();
                byte[] payload = new byte[4 + content.length];
                System.arraycopy("any\n".getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 4);
                System.arraycopy(content, 0, payload, 4, content.length);
                client.call(prefix + "Replace", n, payload);
            } else {
                client.call(prefix + "Remove", n, "any".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            return 0;
        } catch (PolicyClient.Refused e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("Command failed");
            System.err.println(e.getMessage());
            return 1;
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
