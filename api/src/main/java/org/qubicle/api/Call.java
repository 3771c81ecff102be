package org.qubicle.api;

import java.nio.charset.StandardCharsets;
import org.qubicle.api.wire.Request;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesValueError;

/**
 * One checked call as a handler sees it: the declaration, the request, and the source and
 * destination already resolved to qubes. Plain handlers run holding
 * {@link Qubes#lock()}; a stream holds it only to touch the model. The payload stays untrusted until the handler parses it.
 */
public record Call(ApiMethod method, Request request, Qubes app, Qube source, Qube dest, AdminPolicy policy) {

    /** A call under the allow-all policy (tests, internal calls). */
    public Call(ApiMethod method, Request request, Qubes app, Qube source, Qube dest) {
        this(method, request, app, source, dest, AdminPolicy.ALLOW_ALL);
    }

    /**
     * Whether the caller may see {@code subject} in this call's result (upstream's
     * admin-permission filters, see {@link AdminPolicy#shows}). dom0 sees everything.
     */
    public boolean shows(String service, String arg, String subject) {
        return source == app.adminVm() || policy.shows(service, arg, source.name(), subject);
    }

    /** The argument; empty when none was sent. */
    public String arg() {
        return request.arg();
    }

    /** Whether the destination is dom0. */
    public boolean destIsAdminVm() {
        return dest == app.adminVm();
    }

    /** The raw payload. */
    public byte[] untrustedPayload() {
        return request.untrustedPayload();
    }

    /**
     * The payload as ASCII, for values such as property values; qubesd refuses anything else
     * with this exact message.
     */
    public String untrustedPayloadAscii() {
        byte[] bytes = request.untrustedPayload();
        for (byte b : bytes) {
            if (b < 0) {
                throw new QubesValueError("Non-ASCII bytes in property value");
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** The payload as ASCII, with a {@link ProtocolError} for anything else (rules, options). */
    public String untrustedPayloadAsciiStrict() {
        byte[] bytes = request.untrustedPayload();
        for (byte b : bytes) {
            if (b < 0) {
                throw new ProtocolError("non-ASCII payload");
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
