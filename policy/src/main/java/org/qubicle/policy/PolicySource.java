package org.qubicle.policy;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where policy files are read from: the real file system, or a map in memory (conformance runs,
 * validating a change before it is written). Paths are absolute POSIX strings.
 *
 * <p>Both behave like upstream's loader on a file system: {@link #resolve} joins and normalises
 * (following symlinks on disk), {@link #kind} follows symlinks, and listing a directory gives bare
 * names.
 */
public interface PolicySource {

    /** What a path names, after following symlinks. */
    enum Kind { FILE, DIRECTORY, OTHER }

    /** The kind of {@code path}; {@link Kind#OTHER} when it does not exist. */
    Kind kind(String path);

    /** The names in directory {@code dir}. */
    List<String> list(String dir) throws IOException;

    /** The text of file {@code path}, decoded as UTF-8. */
    String read(String path) throws IOException;

    /** {@code base/included}, normalised; an absolute {@code included} stands alone. */
    String resolve(String base, String included);

    /** A short stamp of {@code path} that changes when its content or listing does. */
    String stamp(String path);

    /** The real file system. */
    static PolicySource fileSystem() {
        return new FileSystemSource();
    }

    /**
     * Files held in memory. Keys are paths relative to {@code root} (or absolute); the parent
     * directories of every file exist implicitly.
     */
    static PolicySource memory(String root, Map<String, String> files) {
        return new MemorySource(root, files);
    }

    /**
     * {@code base} with files changed: each key is an absolute path, each value the new text, or
     * null to remove the file. Loading a policy through it validates a change (the Policy Admin
     * API's {@code policy.Replace}/{@code policy.Remove}) before anything is written.
     */
    static PolicySource overlay(PolicySource base, Map<String, String> changes) {
        return new OverlaySource(base, changes);
    }
}
