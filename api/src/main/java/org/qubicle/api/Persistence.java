package org.qubicle.api;

import java.io.IOException;

/**
 * Saves the system after a write call, before the reply goes out, so that an acknowledged
 * write survives {@code kill -9}. The daemon supplies the store-backed implementation; the API
 * module itself does not know where or how {@code qubes.xml} is written.
 */
@FunctionalInterface
public interface Persistence {
    void save() throws IOException;

    /** For tests that keep the system in memory only. */
    Persistence NONE = () -> { };
}
