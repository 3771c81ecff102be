package org.qubicle.api.handlers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.qubicle.api.Call;
import java.util.Optional;
import org.qubicle.model.CreateRequest;
import org.qubicle.model.QubeClass;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;

/**
 * The validated payload of {@code admin.vm.Create.<Class>} and {@code CreateInPool.<Class>}:
 * {@code name=N label=L} and, in pool mode, either {@code pool=P} or {@code pool:<vol>=P}
 * for the volumes root, private, volatile and kernel. Errors follow qubesd: a label made of
 * digits only or with other characters is refused as not allowed, an unknown key or a
 * duplicate is a {@link ProtocolError}.
 */
record CreatePayload(QubeClass klass, String name, String label, Map<String, String> pools) {

    static CreatePayload parse(Call call, QubeClass klass, boolean allowPool) {
        String untrusted = call.untrustedPayloadAsciiStrict();
        String name = null;
        String label = null;
        Map<String, String> pools = new LinkedHashMap<>();
        for (String untrustedParam : untrusted.split(" ", -1)) {
            int eq = untrustedParam.indexOf('=');
            if (eq < 0) {
                throw new ProtocolError("Invalid param: expected key=value");
            }
            String key = untrustedParam.substring(0, eq);
            String value = untrustedParam.substring(eq + 1);
            switch (key) {
                case "name" -> {
                    if (name != null) {
                        throw new ProtocolError("duplicated parameters");
                    }
                    name = value;
                }
                case "label" -> {
                    if (label != null) {
                        throw new ProtocolError("duplicated parameters");
                    }
                    if (value.isEmpty() || value.chars().allMatch(Character::isDigit)
                            || !value.matches("[A-Za-z0-9_.-]+")) {
                        throw new PermissionDenied("label name not allowed");
                    }
                    label = value;
                }
                default -> {
                    if (!allowPool || !(key.equals("pool") || key.startsWith("pool:"))) {
                        throw new ProtocolError("Invalid param name");
                    }
                    String volume = key.equals("pool") ? "" : key.substring(5);
                    if (!volume.isEmpty() && !volume.matches("root|private|volatile|kernel")) {
                        throw new PermissionDenied("Argument not in 'volumes'");
                    }
                    if (pools.putIfAbsent(key, value) != null) {
                        throw new ProtocolError("duplicated " + key + " parameter");
                    }
                }
            }
        }
        if (name == null || label == null) {
            throw new ProtocolError("Missing name or label");
        }
        if (pools.containsKey("pool") && pools.size() > 1) {
            throw new ProtocolError("Only one of 'pool=' and 'pool:volume=' can be used");
        }
        Map<String, String> byVolume = new LinkedHashMap<>();
        pools.forEach((k, v) -> byVolume.put(k.equals("pool") ? "" : k.substring(5), v));
        return new CreatePayload(klass, name, label, Map.copyOf(byVolume));
    }

    /** Creates the qube; the template is the call's argument, or the class default. */
    String create(Call call) {
        if (!klass.hasTemplate() && !call.arg().isEmpty()) {
            throw new ProtocolError("template given for a class without one");
        }
        // Resolving the template here gives qubesd's errors for a bad or unknown name.
        Optional<String> template = call.arg().isEmpty() ? Optional.empty() : Optional.of(call.app().qube(call.arg()).name());
        for (String pool : pools.values()) {
            call.app().pools().get(pool);
        }
        call.app().create(new CreateRequest(klass, name, label, template, pools, call.source().name(), Optional.empty()));
        return "";
    }
}
