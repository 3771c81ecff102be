package org.qubicle.backup.tar;

/**
 * One member of an inner tar, after pax, GNU long-name and sparse headers are applied.
 *
 * @param name the member name as stored (not yet checked for safety: see the reader's caller)
 * @param kind what the member is
 * @param realSize the logical file size (sparse files: the size with holes)
 * @param linkTarget for symbolic links, the target; otherwise null
 */
public record InnerEntry(String name, Kind kind, long realSize, String linkTarget) {
    /** The member kinds a backup may contain; everything else is refused by the reader. */
    public enum Kind { FILE, DIRECTORY, SYMLINK }
}
