package org.qubicle.policy;

import java.util.Objects;

/**
 * Where a rule was written: the file (relative to the top-level policy directory when it lies
 * inside it, else absolute) and the 1-based line.
 */
public record RuleRef(String file, int line) {
    public RuleRef {
        Objects.requireNonNull(file);
        if (line < 0) {
            throw new IllegalArgumentException("negative line number");
        }
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
