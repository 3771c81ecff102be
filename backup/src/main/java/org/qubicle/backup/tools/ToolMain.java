package org.qubicle.backup.tools;

import java.io.PrintWriter;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine;

/**
 * Runs a backup tool with Qubes' conventions: a usage error prints the synopsis and
 * {@code <tool>: error: <msg>} and exits 2; a refused operation prints the one line and
 * exits 1; a stack trace only for an unexpected error.
 */
public final class ToolMain {
    private ToolMain() {
    }

    /** Runs on the process's streams; returns the exit code. */
    public static int execute(Object tool, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(tool);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setUsageHelpWidth(100);
        cmd.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().print("usage: " + c.getHelp().synopsis(0));
            c.getErr().println(c.getCommandSpec().name() + ": error: " + ex.getMessage());
            c.getErr().flush();
            return 2;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            String name = c.getCommandSpec().name();
            if (ex instanceof UsageException) {
                c.getErr().print("usage: " + c.getHelp().synopsis(0));
                c.getErr().println(name + ": error: " + ex.getMessage());
                c.getErr().flush();
                return 2;
            }
            if (ex instanceof QubesException || ex instanceof RuntimeException && ex.getMessage() != null) {
                c.getErr().println(name + ": error: " + ex.getMessage());
            } else {
                c.getErr().println(name + ": error: " + ex);
                ex.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return 1;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static void main(Object tool, String[] args) {
        PrintWriter out = new PrintWriter(System.out, false);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(tool, args, out, err));
    }

    /** A wrong combination of arguments: exit 2 with the synopsis. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
