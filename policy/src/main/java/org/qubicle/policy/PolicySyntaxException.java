package org.qubicle.policy;

/** A load failure with its place; the loader turns it into a {@link PolicyError}. */
final class PolicySyntaxException extends RuntimeException {
    private final transient PolicyError error;

    PolicySyntaxException(String file, int line, String message) {
        super(file + ":" + line + ": " + message, null, false, false);
        this.error = new PolicyError(file, line, message);
    }

    PolicyError error() {
        return error;
    }
}
