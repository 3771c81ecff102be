package org.qubicle.api;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every Admin API method the daemon serves, by name. Built once; read-only afterwards. A
 * second declaration of the same name is a programming error caught at start.
 */
public final class MethodTable {
    private final Map<String, ApiMethod> methods;

    private MethodTable(Map<String, ApiMethod> methods) {
        this.methods = Collections.unmodifiableMap(new TreeMap<>(methods));
    }

    public Optional<ApiMethod> find(String name) {
        return Optional.ofNullable(methods.get(name));
    }

    /** All declarations, sorted by name (for docs, policy and tests). */
    public Collection<ApiMethod> all() {
        return methods.values();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects declarations; handler groups add theirs through {@link #add}. */
    public static final class Builder {
        private final Map<String, ApiMethod> methods = new TreeMap<>();

        /** Declares a method answered with one value. */
        public Builder add(String name, ApiMethod.Arg arg, ApiMethod.Payload payload, ApiMethod.Dest dest,
                ApiMethod.Access access, Handler.Plain handler) {
            return add(new ApiMethod(name, arg, payload, dest, access, handler));
        }

        /** Declares a streaming method. */
        public Builder add(String name, ApiMethod.Arg arg, ApiMethod.Payload payload, ApiMethod.Dest dest,
                ApiMethod.Access access, Handler.Streaming handler) {
            return add(new ApiMethod(name, arg, payload, dest, access, handler));
        }

        public Builder add(ApiMethod method) {
            if (methods.putIfAbsent(method.name(), method) != null) {
                throw new IllegalStateException("method declared twice: " + method.name());
            }
            return this;
        }

        public MethodTable build() {
            return new MethodTable(methods);
        }
    }
}
