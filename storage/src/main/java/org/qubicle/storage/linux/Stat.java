package org.qubicle.storage.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Optional;

/** What the JDK's file attributes omit: the bytes a file has allocated on disk, whether a path is a mount's root. */
public final class Stat {
    private static final int STATX_BLOCKS = 0x400;
    private static final int STATX_SIZE = 256;
    /** stx_blocks, in 512-byte units, in the architecture-independent struct statx. */
    private static final long STX_BLOCKS = 48;
    /** stx_attributes and stx_attributes_mask (which attributes the file system reports). */
    private static final long STX_ATTRIBUTES = 8;
    private static final long STX_ATTRIBUTES_MASK = 56;
    private static final long STATX_ATTR_MOUNT_ROOT = 0x2000;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private Stat() {}

    /** {@code st_blocks * 512}, as {@code stat --format='%b %B'} gives it. */
    public static long allocatedBytes(Path file) {
        try (Sys.Call c = new Sys.Call()) {
            MemorySegment buf = c.arena.allocate(STATX_SIZE, 8);
            if (Sys.statx(c, file.toString(), 0, STATX_BLOCKS, buf) != 0) {
                throw c.fail("stat " + file);
            }
            return buf.get(ValueLayout.JAVA_LONG, STX_BLOCKS) * 512;
        }
    }

    /**
     * Whether {@code path} (its last component not followed) is the root of a mount, from
     * statx's {@code STATX_ATTR_MOUNT_ROOT} (Linux 5.8): one system call instead of reading
     * the whole mount table. Empty where the kernel does not say, or the path cannot be
     * looked at for another reason than its absence.
     */
    public static Optional<Boolean> mountRoot(Path path) {
        try (Sys.Call c = new Sys.Call()) {
            MemorySegment buf = c.arena.allocate(STATX_SIZE, 8);
            if (Sys.statx(c, path.toString(), AT_SYMLINK_NOFOLLOW, 0, buf) != 0) {
                return c.errno() == Sys.ENOENT ? Optional.of(false) : Optional.empty();
            }
            if ((buf.get(ValueLayout.JAVA_LONG, STX_ATTRIBUTES_MASK) & STATX_ATTR_MOUNT_ROOT) == 0) {
                return Optional.empty();
            }
            return Optional.of((buf.get(ValueLayout.JAVA_LONG, STX_ATTRIBUTES) & STATX_ATTR_MOUNT_ROOT) != 0);
        }
    }
}
