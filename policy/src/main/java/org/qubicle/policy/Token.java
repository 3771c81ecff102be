package org.qubicle.policy;

import java.util.Objects;

/**
 * A qube specification in a policy rule or a request: a literal name (or {@code uuid:UUID}) or
 * one of the {@code @keywords}. Which tokens a column accepts is {@link Context}'s business; a
 * token never exists outside a context that allows it, because {@link #parse} checks that.
 *
 * <p>{@link #text()} is the token exactly as written: the reference compares many of them as
 * plain strings, so the original spelling matters.
 */
public sealed interface Token {

    /** The token as written, e.g. {@code work}, {@code @anyvm} or {@code @dispvm:uuid:…}. */
    String text();

    /** Where a token appears; each place accepts its own set of tokens (spec §3.2). */
    enum Context {
        /** Column 3 of a rule. */
        SOURCE("source"),
        /** Column 4 of a rule. */
        TARGET("target"),
        /** The {@code target=} and {@code default_target=} options. */
        REDIRECT("redirect"),
        /** What the caller asked for. */
        INTENDED("intendedtarget");

        private final String label;

        Context(String label) {
            this.label = label;
        }

        /** The word upstream uses in its error messages. */
        public String label() {
            return label;
        }
    }

    /** A qube name or {@code uuid:UUID}; never validated, an unknown name simply matches nothing. */
    record Literal(String text) implements Token {
        public Literal {
            Objects.requireNonNull(text);
            if (text.isEmpty() || text.startsWith("@") || text.equals("*")) {
                throw new IllegalArgumentException("not a literal: " + text);
            }
        }
    }

    /** {@code *}: every qube, dom0 included. */
    record Wildcard() implements Token {
        @Override
        public String text() {
            return "*";
        }
    }

    /** {@code @anyvm}: every qube but dom0. */
    record AnyVm() implements Token {
        @Override
        public String text() {
            return "@anyvm";
        }
    }

    /** {@code @adminvm}: dom0. */
    record AdminVm() implements Token {
        @Override
        public String text() {
            return "@adminvm";
        }
    }

    /** {@code @default}: the call named no (existing) target. */
    record DefaultVm() implements Token {
        @Override
        public String text() {
            return "@default";
        }
    }

    /** {@code @dispvm}: a new disposable from the caller's default_dispvm. */
    record DispVm() implements Token {
        @Override
        public String text() {
            return "@dispvm";
        }
    }

    /** {@code @dispvm:NAME}: a new disposable from NAME (a name or {@code uuid:UUID}). */
    record DispVmTemplate(String value) implements Token {
        public DispVmTemplate {
            requireValue(value);
        }

        @Override
        public String text() {
            return "@dispvm:" + value;
        }
    }

    /** {@code @dispvm:@tag:T}: a disposable from any disposable template tagged T. */
    record DispVmTag(String tag) implements Token {
        public DispVmTag {
            requireValue(tag);
        }

        @Override
        public String text() {
            return "@dispvm:@tag:" + tag;
        }
    }

    /** {@code @tag:T}: qubes tagged T. */
    record TagVm(String tag) implements Token {
        public TagVm {
            requireValue(tag);
        }

        @Override
        public String text() {
            return "@tag:" + tag;
        }
    }

    /** {@code @type:T}: qubes whose class is T. */
    record TypeVm(String type) implements Token {
        public TypeVm {
            requireValue(type);
        }

        @Override
        public String text() {
            return "@type:" + type;
        }
    }

    Wildcard WILDCARD = new Wildcard();
    AnyVm ANYVM = new AnyVm();
    AdminVm ADMINVM = new AdminVm();
    DefaultVm DEFAULT = new DefaultVm();
    DispVm DISPVM = new DispVm();

    private static void requireValue(String value) {
        if (value == null || value.isEmpty() || value.startsWith("@")) {
            throw new IllegalArgumentException("invalid token value: " + value);
        }
    }

    /** Whether this kind of token may stand in {@code context} (spec §3.2 table). */
    static boolean allowedIn(Token token, Context context) {
        return switch (token) {
            case Literal l -> true;
            case AdminVm a -> true;
            case Wildcard w -> context == Context.SOURCE || context == Context.TARGET;
            case AnyVm a -> context == Context.SOURCE || context == Context.TARGET;
            case TagVm t -> context == Context.SOURCE || context == Context.TARGET;
            case TypeVm t -> context == Context.SOURCE || context == Context.TARGET;
            case DispVmTag d -> context == Context.SOURCE || context == Context.TARGET;
            case DefaultVm d -> context == Context.TARGET || context == Context.INTENDED;
            case DispVm d -> context != Context.SOURCE;
            case DispVmTemplate d -> true;
        };
    }

    /**
     * Parses {@code text} as a token allowed in {@code context}.
     *
     * @throws IllegalArgumentException with upstream's wording when the token is malformed or
     *     not allowed here
     */
    static Token parse(String text, Context context) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("invalid empty " + context.label() + " token");
        }
        if (!text.startsWith("@") && !text.equals("*")) {
            return new Literal(text);
        }
        Token exact = switch (text) {
            case "*" -> WILDCARD;
            case "@anyvm" -> ANYVM;
            case "@adminvm" -> ADMINVM;
            case "@default" -> DEFAULT;
            case "@dispvm" -> DISPVM;
            default -> null;
        };
        if (exact != null && allowedIn(exact, context)) {
            return exact;
        }
        if (exact == null) {
            // Prefixes in upstream's order; a value starting with '@' falls through to a longer
            // prefix (that is how "@dispvm:@tag:x" reaches DispVmTag).
            Token prefixed = prefixed(text, "@type:", context, TypeVm::new);
            if (prefixed == null) {
                prefixed = prefixed(text, "@tag:", context, TagVm::new);
            }
            if (prefixed == null) {
                prefixed = prefixed(text, "@dispvm:", context, DispVmTemplate::new);
            }
            if (prefixed == null) {
                prefixed = prefixed(text, "@dispvm:@tag:", context, DispVmTag::new);
            }
            if (prefixed != null) {
                return prefixed;
            }
        }
        throw new IllegalArgumentException(
                "invalid " + context.label() + " token: " + PyRepr.str(text));
    }

    private static Token prefixed(String text, String prefix, Context context,
                                  java.util.function.Function<String, Token> make) {
        Token sample = make.apply("x");
        if (!allowedIn(sample, context) || !text.startsWith(prefix)) {
            return null;
        }
        String value = text.substring(prefix.length());
        if (value.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid empty " + prefix + " token: " + PyRepr.str(text));
        }
        if (value.startsWith("@")) {
            return null;
        }
        return make.apply(value);
    }
}
