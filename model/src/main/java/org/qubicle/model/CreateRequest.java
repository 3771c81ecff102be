package org.qubicle.model;

import java.util.Map;
import java.util.Optional;

/**
 * What {@code admin.vm.Create.<Class>} and {@code CreateInPool} ask for.
 *
 * @param template     the template, or empty for the class's default
 * @param pools        pool per volume ({@code pool:private=...}); the key {@code ""} means
 *                     every volume ({@code pool=...})
 * @param caller       the qube that made the call, for the {@code created-by-} tag
 * @param dispid       for unnamed disposables only
 */
public record CreateRequest(
        QubeClass klass,
        String name,
        String label,
        Optional<String> template,
        Map<String, String> pools,
        String caller,
        Optional<Integer> dispid) {

    public CreateRequest {
        pools = Map.copyOf(pools);
    }

    public static CreateRequest of(QubeClass klass, String name, String label, String templateOrNull) {
        return new CreateRequest(klass, name, label, Optional.ofNullable(templateOrNull), Map.of(), "dom0", Optional.empty());
    }
}
