package org.qubicle.policy;

import java.util.Objects;

/**
 * One qrexec call to evaluate.
 *
 * @param service the service name, e.g. {@code qubes.Filecopy}
 * @param argument the argument with its leading {@code +}; {@code +} alone means none
 * @param source the calling qube's name
 * @param target the raw intended target as the caller gave it ({@code ""} means {@code @default})
 */
public record Request(String service, String argument, String source, String target) {
    /** The daemon's limit for {@code service+argument} (MAX_SERVICE_NAME_LEN). */
    public static final int MAX_SERVICE_AND_ARG = 65000;

    public Request {
        Objects.requireNonNull(service);
        Objects.requireNonNull(argument);
        Objects.requireNonNull(source);
        Objects.requireNonNull(target);
        if (!argument.startsWith("+")) {
            throw new IllegalArgumentException("argument must start with +: " + argument);
        }
        if (service.length() + argument.length() > MAX_SERVICE_AND_ARG) {
            throw new IllegalArgumentException("service and argument too long");
        }
    }

    /** Splits {@code service_and_arg} at the first {@code +}, as qrexec-daemon does. */
    public static Request of(String source, String target, String serviceAndArg) {
        int plus = serviceAndArg.indexOf('+');
        if (plus < 0) {
            return new Request(serviceAndArg, "+", source, target);
        }
        return new Request(serviceAndArg.substring(0, plus), serviceAndArg.substring(plus), source, target);
    }
}
