package org.qubicle.daemon.backup;

import org.qubicle.driver.QubeProcess;
import org.qubicle.model.Qube;

/**
 * Runs a shell command inside a qube (started first if needed), for the backup's
 * destination qube and passphrase qube. The daemon serves it from its lifecycle service,
 * the same path as qvm-run.
 */
@FunctionalInterface
public interface QubeCommands {
    /** Runs {@code /bin/sh -c command} as the qube's default user; called holding the system lock. */
    QubeProcess run(Qube q, String command);
}
