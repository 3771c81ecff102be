package org.qubicle.api.wire;

import java.util.Objects;

/**
 * One parsed Admin API request: the header fields, validated for shape, and the raw payload.
 *
 * <p>The fields are ASCII and well-formed but not yet checked against the system: {@code source}
 * and {@code dest} still have to be resolved to qubes, and the payload is still untrusted bytes
 * that each handler parses for itself. The payload is copied in and out, so a record is immutable.
 *
 * @param method the method name, e.g. {@code admin.vm.property.Get}
 * @param arg the argument after the first {@code +}, empty if there was none
 * @param source the calling qube, as sent ({@code dom0} from the local client)
 * @param dest the destination qube name or {@code uuid:...}; {@code keyword adminvm} is
 *     normalised to {@code dom0}
 */
public record Request(String method, String arg, String source, String dest, byte[] untrustedPayload) {
    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(arg, "arg");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dest, "dest");
        untrustedPayload = untrustedPayload.clone();
        if (untrustedPayload.length > RequestDecoder.MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("payload too long");
        }
    }

    @Override
    public byte[] untrustedPayload() {
        return untrustedPayload.clone();
    }

    /** Whether a payload was sent (a zero-length payload counts as none, as in qubesd). */
    public boolean hasPayload() {
        return untrustedPayload.length > 0;
    }

    /** The payload length without copying it. */
    public int payloadLength() {
        return untrustedPayload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && method.equals(r.method) && arg.equals(r.arg)
                && source.equals(r.source) && dest.equals(r.dest)
                && java.util.Arrays.equals(untrustedPayload, r.untrustedPayload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, arg, source, dest, java.util.Arrays.hashCode(untrustedPayload));
    }

    @Override
    public String toString() {
        return method + "+" + arg + " " + source + " -> " + dest + " (" + untrustedPayload.length + " payload bytes)";
    }
}
