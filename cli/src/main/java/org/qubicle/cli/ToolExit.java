package org.qubicle.cli;

/**
 * Ends a tool with an exit code. With a message, {@code <tool>: error: <message>} is
 * printed first; Qubes' {@code error_runtime}.
 */
final class ToolExit extends RuntimeException {
    final int code;

    ToolExit(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    static ToolExit silent(int code) {
        return new ToolExit(code, null);
    }
}
