package org.qubicle.model.firewall;

import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * A rule's destination: an IPv4 or IPv6 network, or a host name resolved in the netvm.
 * In the API it is written as {@code dst4=}, {@code dst6=} or {@code dsthost=} by kind.
 */
public record DstHost(Kind kind, String value) {
    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9._-]+");

    public enum Kind { IPV4, IPV6, NAME }

    public DstHost {
        switch (kind) {
            case IPV4 -> checkV4(value);
            case IPV6 -> checkV6(value);
            case NAME -> {
                if (value.isEmpty() || value.length() > 255 || !HOSTNAME.matcher(value).matches()) {
                    throw new QubesValueError("Invalid hostname: " + value);
                }
            }
        }
    }

    /** Classifies a {@code dsthost=} value; a bare address gets /32 or /128. */
    public static DstHost parse(String untrusted) {
        if (untrusted.matches("[0-9./]+") && untrusted.chars().filter(c -> c == '.').count() == 3) {
            return new DstHost(Kind.IPV4, untrusted.contains("/") ? untrusted : untrusted + "/32");
        }
        if (untrusted.contains(":")) {
            return new DstHost(Kind.IPV6, untrusted.contains("/") ? untrusted : untrusted + "/128");
        }
        return new DstHost(Kind.NAME, untrusted);
    }

    public String apiKey() {
        return switch (kind) {
            case IPV4 -> "dst4";
            case IPV6 -> "dst6";
            case NAME -> "dsthost";
        };
    }

    private static void checkV4(String v) {
        String[] parts = v.split("/", -1);
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw new QubesValueError("Invalid IPv4 network: " + v);
        }
        String[] octets = parts[0].split("\\.", -1);
        if (octets.length != 4) {
            throw new QubesValueError("Invalid IPv4 address: " + v);
        }
        for (String o : octets) {
            if (!o.matches("[0-9]{1,3}") || Integer.parseInt(o) > 255) {
                throw new QubesValueError("Invalid IPv4 address: " + v);
            }
        }
    }

    private static void checkV6(String v) {
        String[] parts = v.split("/", -1);
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,3}") || Integer.parseInt(parts[1]) > 128
                || !parts[0].matches("[0-9a-fA-F:.]{2,45}") || !parts[0].contains(":")) {
            throw new QubesValueError("Invalid IPv6 network: " + v);
        }
    }
}
