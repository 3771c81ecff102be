package org.qubicle.model;

import java.util.Set;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * A valid qube name: 1 to 31 characters of {@code [A-Za-z0-9_.-]}, starting with a letter,
 * not reserved. Messages are qubesd's ({@code qubes/vm/__init__.py: validate_name}).
 */
public record QubeName(String value) {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Set<String> RESERVED = Set.of("Domain-0", "none", "default");

    public QubeName {
        if (value == null || value.isEmpty()) {
            throw new QubesValueError("VM name cannot be empty");
        }
        if (value.length() > 31) {
            throw new QubesValueError("VM name must be shorter than 32 characters");
        }
        if (!Character.isLetter(value.charAt(0)) || value.charAt(0) > 0x7f) {
            throw new QubesValueError("VM name cannot start with hyphen, underscore, dot or numbers");
        }
        if (!ALLOWED.matcher(value).matches()) {
            throw new QubesValueError("VM name contains illegal characters");
        }
        if (RESERVED.contains(value) || value.endsWith("-dm")) {
            throw new QubesValueError("VM name cannot be '" + value + "'");
        }
    }

    /** Validates a name coming from a peer. */
    public static QubeName parse(String untrustedName) {
        return new QubeName(untrustedName);
    }

    @Override
    public String toString() {
        return value;
    }
}
