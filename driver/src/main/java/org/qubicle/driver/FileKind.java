package org.qubicle.driver;

/**
 * What a path inside a running qube names, as {@code lstat} tells it: a symlink as the last
 * component is reported, never followed ({@link IsolationDriver#lookup}).
 */
public enum FileKind {
    SOCKET,
    REGULAR,
    DIRECTORY,
    SYMLINK,
    /** A FIFO or a device node. */
    OTHER
}
