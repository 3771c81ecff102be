package org.qubicle.model.property;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One property descriptor: the single place that says a property's name, type, default
 * chain, validation and rules, like Qubes' {@code qubes.property}.
 *
 * @param <H> the holder type (a qube or the global properties)
 * @param defaultValue computes the default now, from the holder; empty means no default
 *                     (for qube references, None)
 * @param validator    checks and may canonicalise a value already parsed by type; it
 *                     throws a Qubes exception to refuse it
 */
public record Property<H>(
        String name,
        PropertyType type,
        String help,
        Set<Flag> flags,
        Function<H, Optional<String>> defaultValue,
        Validator<H> validator) {

    /** Rules beyond the type. */
    public enum Flag {
        /** Can be set only while unset ({@code name}, {@code qid}, {@code uuid}, {@code dispid}). */
        WRITE_ONCE,
        /** Computed, never stored; setting it is refused. */
        READ_ONLY,
        /** Can be set or reset only while the qube is halted. */
        HALTED_ONLY,
        /** Cannot be reset ({@code template}). */
        NO_RESET,
        /** Copied by {@code qvm-clone} and to disposables when explicitly set. */
        CLONE
    }

    /** Checks a value for a holder. */
    @FunctionalInterface
    public interface Validator<H> {
        /** @return the canonical value to store */
        String validate(H holder, String value);

        static <H> Validator<H> none() {
            return (h, v) -> v;
        }
    }

    public Property {
        flags = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }
}
