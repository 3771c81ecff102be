package org.qubicle.api.client;

import java.lang.reflect.Constructor;
import org.qubicle.model.exc.QubesException;

/**
 * Turns the {@code <ExcType>} name of an exception frame into an exception object. The
 * class is looked up by its simple name in {@code org.qubicle.model.exc}, as qubesadmin
 * looks it up in {@code qubesadmin.exc}; an unknown name becomes {@link QubesException}.
 * Reflection runs only on the error path, so it costs nothing at start-up.
 */
final class RemoteExceptions {
    private static final String PACKAGE = "org.qubicle.model.exc.";

    private RemoteExceptions() {
    }

    /**
     * Whether the message of this exception type has {@code %} escaped as {@code %%}.
     * qubesd sends ProtocolError and PermissionDenied messages as they are
     * (admin-api.md §1.3).
     */
    static boolean isEscaped(String type) {
        return !type.equals("ProtocolError") && !type.equals("PermissionDenied");
    }

    static RuntimeException create(String type, String message) {
        if (!type.isEmpty() && type.matches("[A-Za-z][A-Za-z0-9_]*")) {
            try {
                Class<?> cls = Class.forName(PACKAGE + type, true,
                        RemoteExceptions.class.getClassLoader());
                if (RuntimeException.class.isAssignableFrom(cls)) {
                    Constructor<?> ctor = cls.getConstructor(String.class);
                    return (RuntimeException) ctor.newInstance(message);
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                // Unknown name: fall through to the generic class, as qubesadmin does.
            }
        }
        return new QubesException(message);
    }

    /** {@code %%} → {@code %}, the only formatting qubesadmin applies without arguments. */
    static String unescape(String message) {
        return message.replace("%%", "%");
    }
}
