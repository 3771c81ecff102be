package org.qubicle.api;

import java.util.Objects;

/**
 * The one declaration of an Admin API method (STYLE §3): its name, what it accepts and the
 * handler that serves it. The rules drive dispatch, the {@code ProtocolError} checks that run
 * before the handler, saving after writes, and (later) the default admin policy.
 *
 * <p>Example: {@code ApiMethod.of("admin.vm.tag.Set", Arg.REQUIRED, Payload.NONE, Dest.ANY,
 * Access.WRITE, tags::set)}.
 *
 * @param name the full method name, e.g. {@code admin.vm.property.Get}
 * @param arg whether the call takes an argument
 * @param payload whether the call takes a payload
 * @param dest which destinations are allowed
 * @param access read, write (saved before the reply) or stream (events)
 * @param handler the code that serves the call
 */
public record ApiMethod(String name, Arg arg, Payload payload, Dest dest, Access access, Handler handler) {
    public ApiMethod {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("bad method name " + name);
        }
        Objects.requireNonNull(arg, "arg");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(dest, "dest");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(handler, "handler");
        if ((access == Access.STREAM) != (handler instanceof Handler.Streaming)) {
            throw new IllegalArgumentException(name + ": only stream methods have streaming handlers");
        }
    }

    /** Whether the argument must be present, absent, or either. */
    public enum Arg { NONE, REQUIRED, OPTIONAL }

    /** Whether the payload must be present, absent, or either. */
    public enum Payload { NONE, REQUIRED, OPTIONAL }

    /** Which destinations the method accepts. */
    public enum Dest { ADMIN_VM, NOT_ADMIN_VM, ANY }

    /** Read calls change nothing; write calls are saved before the reply; stream calls never end on their own. */
    public enum Access { READ, WRITE, STREAM }
}
