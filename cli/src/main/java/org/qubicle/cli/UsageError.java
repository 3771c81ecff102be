package org.qubicle.cli;

/**
 * Bad usage found after parsing (an unknown qube, a missing option): usage line, then
 * {@code <tool>: error: <message>}, exit 2; Qubes' {@code parser.error}.
 */
final class UsageError extends RuntimeException {
    UsageError(String message) {
        super(message, null, false, false);
    }
}
