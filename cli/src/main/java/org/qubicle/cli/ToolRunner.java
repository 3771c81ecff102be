package org.qubicle.cli;

import java.io.PrintWriter;
import org.qubicle.api.client.QubesDaemonCommunicationError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Runs one tool with Qubes' error conventions: usage errors print the synopsis and
 * {@code <tool>: error: <msg>} and exit 2; runtime errors print the one line and exit 1;
 * a stack trace only with {@code --verbose}.
 */
public final class ToolRunner {
    private ToolRunner() {
    }

    /** Runs the tool on the process's streams and exits the JVM with its code. */
    static void main(Object tool, String[] args) {
        PrintWriter out = new PrintWriter(System.out, false);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(tool, args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the tool and returns its exit code; for tests and in-process callers. */
    public static int execute(Object tool, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(tool);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setUsageHelpWidth(100);
        cmd.setOverwrittenOptionsAllowed(true);
        cmd.setParameterExceptionHandler(parameterHandler());
        cmd.setExecutionExceptionHandler(executionHandler());
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static IParameterExceptionHandler parameterHandler() {
        return (ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            usageError(cmd, ex.getMessage());
            return 2;
        };
    }

    private static void usageError(CommandLine cmd, String message) {
        PrintWriter err = cmd.getErr();
        err.print("usage: " + cmd.getHelp().synopsis(0));
        err.println(cmd.getCommandSpec().root().name() + ": error: " + message);
        err.flush();
    }

    private static IExecutionExceptionHandler executionHandler() {
        return (Exception ex, CommandLine cmd, ParseResult parsed) -> {
            String tool = cmd.getCommandSpec().root().name();
            PrintWriter err = cmd.getErr();
            if (ex instanceof UsageError) {
                usageError(cmd, ex.getMessage());
                return 2;
            }
            if (ex instanceof ToolExit exit) {
                if (exit.getMessage() != null) {
                    err.println(tool + ": error: " + exit.getMessage());
                }
                err.flush();
                return exit.code;
            }
            String message = ex.getMessage();
            if (message == null || message.isEmpty()) {
                message = ex.getClass().getSimpleName();
            } else if (!(ex instanceof RuntimeException)) {
                message = ex.getClass().getSimpleName() + ": " + message;
            }
            err.println(tool + ": error: " + message);
            if (verbose(cmd) && !(ex instanceof QubesDaemonCommunicationError
                    && ex.getCause() == null)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        };
    }

    private static boolean verbose(CommandLine cmd) {
        for (CommandLine c = cmd; c != null; c = c.getParent()) {
            if (c.getCommand() instanceof QubesTool tool && tool.common.verbose > 0) {
                return true;
            }
        }
        return false;
    }
}
