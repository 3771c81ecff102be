package org.qubicle.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the policy knows about one qube: one entry of qubesd's {@code internal.GetSystemInfo}
 * (spec §8).
 *
 * @param name the qube's name
 * @param tags its tags
 * @param type its class name ({@code AdminVM}, {@code AppVM}, ...)
 * @param templateForDispvms whether disposables may be made from it
 * @param defaultDispvm the name of its default disposable template, or null
 * @param icon the icon name shown in prompts
 * @param label its label
 * @param guivm the qube that shows its prompts and notifications, or null
 * @param relayvm Qubes Air relay, or null
 * @param transportRpc Qubes Air transport service, or null
 * @param powerState {@code Running}, {@code Halted}, ...
 * @param uuid its UUID (without {@code uuid:}), or null
 * @param internal whether the qube is hidden from prompts (the {@code internal} feature, already
 *     reduced to Python truthiness)
 */
public record QubeInfo(String name, List<String> tags, String type, boolean templateForDispvms,
                       String defaultDispvm, String icon, String label, String guivm,
                       String relayvm, String transportRpc, String powerState, String uuid,
                       boolean internal) {
    public QubeInfo {
        Objects.requireNonNull(name);
        tags = List.copyOf(tags);
        // Unknown values compare unequal to any token value, as None does upstream.
        type = type == null ? "" : type;
        powerState = powerState == null ? "" : powerState;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty qube name");
        }
    }

    /** A minimal running qube, for tests and tools. */
    public static QubeInfo of(String name, String type, String uuid, List<String> tags) {
        return new QubeInfo(name, tags, type, false, null, null, null, null, null, null,
                "Running", uuid, false);
    }
}
