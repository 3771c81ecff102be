package org.qubicle.driver;

/** A path found inside a running qube, and what is there ({@link IsolationDriver#lookupFirst}). */
public record FoundPath(String path, FileKind kind) {
    public FoundPath {
        if (path == null || kind == null) {
            throw new IllegalArgumentException("a found path needs its path and its kind");
        }
    }
}
