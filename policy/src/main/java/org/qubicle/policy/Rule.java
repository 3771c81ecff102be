package org.qubicle.policy;

import java.util.Objects;

/**
 * One policy rule: {@code SERVICE ARGUMENT SOURCE TARGET ACTION [OPTIONS]}.
 *
 * <p>The constructor enforces everything the grammar demands (spec §3), so a {@code Rule} that
 * exists is a rule upstream would also have accepted.
 *
 * @param service the service name, or null for {@code *}
 * @param argument the argument including its leading {@code +}, or null for {@code *}
 * @param source the SOURCE column
 * @param target the TARGET column
 * @param action the action with its options
 * @param location where the rule was written
 */
public record Rule(String service, String argument, Token source, Token target, Action action,
                   RuleRef location) {

    public Rule {
        Objects.requireNonNull(source);
        Objects.requireNonNull(target);
        Objects.requireNonNull(action);
        Objects.requireNonNull(location);
        checkServiceAndArgument(service, argument);
        if (!Token.allowedIn(source, Token.Context.SOURCE)) {
            throw new IllegalArgumentException("invalid source token: " + PyRepr.str(source.text()));
        }
        if (!Token.allowedIn(target, Token.Context.TARGET)) {
            throw new IllegalArgumentException("invalid target token: " + PyRepr.str(target.text()));
        }
        if (target instanceof Token.DefaultVm && action instanceof Action.Allow a && a.target() == null) {
            throw new IllegalArgumentException(
                    "allow action for @default rule must specify target= option");
        }
    }

    /** Characters allowed in service names and arguments (upstream's RPCNAME_ALLOWED_CHARSET). */
    static boolean rpcChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '+' || c == '-' || c == '.' || c == '_';
    }

    /**
     * Checks the SERVICE and ARGUMENT columns, already turned from {@code *} into null.
     *
     * @throws IllegalArgumentException with upstream's wording
     */
    static void checkServiceAndArgument(String service, String argument) {
        if (service != null) {
            String bad = invalidChars(service, true);
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("service " + PyRepr.str(service)
                        + " contains invalid characters: " + bad);
            }
        }
        if (argument != null) {
            String bad = invalidChars(argument, false);
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("argument " + PyRepr.str(argument)
                        + " contains invalid characters: " + bad);
            }
            if (!argument.startsWith("+")) {
                throw new IllegalArgumentException(
                        "argument " + PyRepr.str(argument) + " does not start with +");
            }
            if (service == null) {
                throw new IllegalArgumentException("only * argument allowed for * service");
            }
        }
    }

    private static String invalidChars(String s, boolean plusForbidden) {
        java.util.TreeSet<String> bad = new java.util.TreeSet<>();
        s.codePoints().forEach(cp -> {
            boolean ok = cp < 0x80 && rpcChar((char) cp) && !(plusForbidden && cp == '+');
            if (!ok) {
                bad.add(new String(Character.toChars(cp)));
            }
        });
        return bad.isEmpty() ? "" : PyRepr.tuple(java.util.List.copyOf(bad));
    }

    @Override
    public String toString() {
        return (service == null ? "*" : service) + "\t" + (argument == null ? "*" : argument) + "\t"
                + source.text() + "\t" + target.text() + "\t" + Action.name(action);
    }
}
