package org.qubicle.cli;

import java.io.PrintWriter;
import org.qubicle.api.client.QubesDaemonCommunicationError;

/**
 * Runs qvm-ls parsed by {@link QvmLsArgs}, with the error conventions of {@link ToolRunner}
 * (which needs picocli): a runtime error prints {@code qvm-ls: error: <msg>} and exits 1,
 * with the stack trace only under {@code --verbose}. A usage error needs picocli's synopsis,
 * so it is not handled here: the caller reruns the command line through picocli.
 */
final class QvmLsFast {
    /** What {@link #execute} returns when the command line must go through picocli. */
    static final int USE_PICOCLI = -1;

    private QvmLsFast() {
    }

    /**
     * Runs the tool; its exit code, or {@link #USE_PICOCLI} when the arguments need picocli's
     * parser or a usage error needs its synopsis. Nothing is written in that case.
     */
    static int execute(QvmLs tool, String[] args, PrintWriter out, PrintWriter err) {
        if (!QvmLsArgs.parse(tool, args)) {
            return USE_PICOCLI;
        }
        tool.streams(out, err);
        try {
            return tool.run();
        } catch (UsageError e) {
            return USE_PICOCLI;
        } catch (ToolExit e) {
            if (e.getMessage() != null) {
                err.println("qvm-ls: error: " + e.getMessage());
            }
            return e.code;
        } catch (Exception e) {
            String message = e.getMessage();
            if (message == null || message.isEmpty()) {
                message = e.getClass().getSimpleName();
            } else if (!(e instanceof RuntimeException)) {
                message = e.getClass().getSimpleName() + ": " + message;
            }
            err.println("qvm-ls: error: " + message);
            if (tool.common.verbose > 0
                    && !(e instanceof QubesDaemonCommunicationError && e.getCause() == null)) {
                e.printStackTrace(err);
            }
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
