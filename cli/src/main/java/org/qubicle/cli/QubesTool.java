package org.qubicle.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.qubicle.api.client.AdminClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every tool: common options, the Admin API client, output streams, and the
 * Qubes-style errors. A tool implements {@link #run()} and returns its exit code.
 */
abstract class QubesTool implements Callable<Integer> {
    @Mixin
    CommonOptions common = new CommonOptions();

    @Spec
    CommandSpec spec;

    private Qubes qubes;

    /** The tool's work; throws {@link UsageError} or {@link ToolExit} to fail. */
    abstract int run() throws Exception;

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    Qubes qubes() {
        if (qubes == null) {
            qubes = new Qubes(AdminClient.local());
        }
        return qubes;
    }

    /** For tests and in-process callers: use this connection instead of the local one. */
    QubesTool with(Qubes qubes) {
        this.qubes = qubes;
        return this;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    String toolName() {
        return spec.root().name();
    }

    /** A log line as qubesadmin's console logger prints it: {@code <logger>: <msg>}. */
    void log(String logger, String message) {
        if (common.level() >= 1) {
            err().println(logger + ": " + message);
            err().flush();
        }
    }

    static UsageError usage(String message) {
        return new UsageError(message);
    }

    static ToolExit runtime(String message) {
        return new ToolExit(1, message);
    }
}
