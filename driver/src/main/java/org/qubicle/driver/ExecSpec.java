package org.qubicle.driver;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A process to run inside a running qube.
 *
 * <p>Example: {@code ExecSpec.of("user", "sh", "-c", "echo hi")}.
 *
 * @param user    {@code root} or {@code user} (the qube's user, uid 1000)
 * @param command the program and its arguments; the program is looked up in the qube's PATH
 * @param env     extra environment; HOME, USER, PATH and LOGNAME are set by the driver
 */
public record ExecSpec(String user, List<String> command, Map<String, String> env) {
    public static final String ROOT = "root";
    public static final String USER = "user";

    public ExecSpec {
        Objects.requireNonNull(user, "user");
        if (!user.equals(ROOT) && !user.equals(USER)) {
            throw new IllegalArgumentException("user must be root or user: " + user);
        }
        command = List.copyOf(command);
        env = Map.copyOf(env);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        for (String a : command) {
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL in command");
            }
        }
        for (var e : env.entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad environment variable: " + e.getKey());
            }
        }
    }

    public static ExecSpec of(String user, String... command) {
        return new ExecSpec(user, List.of(command), Map.of());
    }

    /** uid (and gid) inside the qube. */
    public int uid() {
        return user.equals(ROOT) ? 0 : 1000;
    }

    public String home() {
        return user.equals(ROOT) ? "/root" : "/home/user";
    }
}
