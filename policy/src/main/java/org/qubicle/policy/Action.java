package org.qubicle.policy;

import java.util.Objects;

/**
 * What a rule does when it matches: the closed set {@code allow}, {@code deny}, {@code ask}
 * (spec §3.3). Options that an action does not accept cannot be expressed; redirect tokens are
 * checked to be valid redirects.
 */
public sealed interface Action {

    /** Whether the user is told about the outcome. */
    boolean notifyUser();

    /** Refuse the call. {@code notify} defaults to true. */
    record Deny(boolean notifyUser) implements Action {
    }

    /**
     * Allow the call, to {@code target} when set (a redirect), else to the intended target.
     *
     * @param target the {@code target=} redirect, or null
     * @param user the {@code user=} option, or null for the default user ("" also means default)
     */
    record Allow(Token target, String user, boolean notifyUser, boolean autostart) implements Action {
        public Allow {
            requireRedirect(target);
        }
    }

    /**
     * Ask the user to pick a target.
     *
     * @param target the {@code target=} option: the only choice offered, or null
     * @param defaultTarget the {@code default_target=} option, or null
     */
    record Ask(Token target, Token defaultTarget, String user, boolean notifyUser, boolean autostart)
            implements Action {
        public Ask {
            requireRedirect(target);
            requireRedirect(defaultTarget);
        }
    }

    private static void requireRedirect(Token token) {
        if (token != null && !Token.allowedIn(token, Token.Context.REDIRECT)) {
            throw new IllegalArgumentException("invalid redirect token: " + token.text());
        }
    }

    /** The redirect of an allow/ask action, null for deny or when there is none. */
    static Token redirect(Action action) {
        return switch (action) {
            case Allow a -> a.target();
            case Ask a -> a.target();
            case Deny d -> null;
        };
    }

    /** Spelled as in a policy file. */
    static String name(Action action) {
        Objects.requireNonNull(action);
        return switch (action) {
            case Allow a -> "allow";
            case Ask a -> "ask";
            case Deny d -> "deny";
        };
    }
}
