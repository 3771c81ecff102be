package org.qubicle.storage.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** What the JDK's file attributes omit: the bytes a file has allocated on disk. */
public final class Stat {
    private static final int STATX_BLOCKS = 0x400;
    private static final int STATX_SIZE = 256;
    /** stx_blocks, in 512-byte units, in the architecture-independent struct statx. */
    private static final long STX_BLOCKS = 48;

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
}
