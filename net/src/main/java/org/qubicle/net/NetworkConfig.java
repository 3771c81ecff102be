package org.qubicle.net;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.qubicle.model.exc.QubesValueError;

/**
 * Settings of one {@link Network}.
 *
 * @param instance          a short id of the Qubicle instance (from its root), so that several
 *                          instances on one host have distinct namespace names
 *                          {@code qubicle-<instance>-<qube>}
 * @param hostUplinkAllowed whether an {@link Uplink#toHost host uplink} may be set up. OFF by
 *                          default: turning it on lets qubes reach the host's real network
 */
public record NetworkConfig(String instance, boolean hostUplinkAllowed) {
    public NetworkConfig {
        if (instance == null || !instance.matches("[a-z0-9]{1,8}")) {
            throw new QubesValueError("Invalid network instance id: " + instance);
        }
    }

    /** The config for the instance rooted at {@code root}: id = first 8 hex digits of SHA-256 of the path. */
    public static NetworkConfig forRoot(Path root) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(root.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return new NetworkConfig(HexFormat.of().formatHex(h, 0, 4), false);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public NetworkConfig withHostUplinkAllowed(boolean allowed) {
        return new NetworkConfig(instance, allowed);
    }

    /** Prefix of every namespace name of this instance. */
    public String nsPrefix() {
        return "qubicle-" + instance + "-";
    }
}
