package org.qubicle.model;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.qubicle.model.event.FeatureDeleted;
import org.qubicle.model.event.FeaturePreDelete;
import org.qubicle.model.event.FeaturePreSet;
import org.qubicle.model.event.FeatureSet;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesFeatureNotFoundError;

/**
 * A qube's features: a string map. {@code ""} is false and any other string is true, so
 * {@code "0"} is true; absent is a third state.
 */
public final class Features {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private final Qube qube;
    private final TreeMap<String, String> values = new TreeMap<>();

    Features(Qube qube) {
        this.qube = qube;
    }

    public SortedMap<String, String> asMap() {
        return Collections.unmodifiableSortedMap(values);
    }

    public Optional<String> find(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw notFound(name);
        }
        return v;
    }

    /** Qubes' truth rule: present and non-empty. */
    public boolean isTrue(String name) {
        String v = values.get(name);
        return v != null && !v.isEmpty();
    }

    public void set(String untrustedName, String untrustedValue) {
        if (!NAME.matcher(untrustedName).matches()) {
            throw new ProtocolError("Invalid feature name");
        }
        if (!untrustedValue.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new ProtocolError("Invalid feature value");
        }
        String old = values.get(untrustedName);
        Qubes app = qube.app();
        app.events().fire(new FeaturePreSet(qube.name(), untrustedName, untrustedValue, old));
        values.put(untrustedName, untrustedValue);
        app.events().fire(new FeatureSet(qube.name(), untrustedName, untrustedValue, old));
    }

    public void remove(String name) {
        if (!values.containsKey(name)) {
            throw notFound(name);
        }
        qube.app().events().fire(new FeaturePreDelete(qube.name(), name));
        values.remove(name);
        qube.app().events().fire(new FeatureDeleted(qube.name(), name));
    }

    /** This qube, then its template, then the template's template. */
    public Optional<String> checkWithTemplate(String name) {
        return checkChain(name, Qube::template);
    }

    /** This qube, then its netvm, then the netvm's netvm. */
    public Optional<String> checkWithNetvm(String name) {
        return checkChain(name, Qube::netvm);
    }

    /** This qube, then dom0. */
    public Optional<String> checkWithAdminVm(String name) {
        return find(name).or(() -> qube.app().adminVm().features().find(name));
    }

    /** The template chain, then dom0. */
    public Optional<String> checkWithTemplateAndAdminVm(String name) {
        return checkWithTemplate(name).or(() -> qube.app().adminVm().features().find(name));
    }

    private Optional<String> checkChain(String name, Function<Qube, Optional<Qube>> next) {
        Qube q = qube;
        for (int depth = 0; q != null && depth < 64; depth++) {
            String v = q.features().values.get(name);
            if (v != null) {
                return Optional.of(v);
            }
            q = next.apply(q).orElse(null);
        }
        return Optional.empty();
    }

    private QubesFeatureNotFoundError notFound(String name) {
        return new QubesFeatureNotFoundError("Feature not set for domain " + qube.name() + ": " + name);
    }

    /** Restores a feature from the store, without checks or events. */
    public void load(String name, String value) {
        values.put(name, value);
    }
}
