package org.qubicle.backup.compress;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Whole gzip members decompressed by libdeflate (Debian {@code libdeflate0}) through the
 * FFM API, about three times zlib's speed per core. A fast path only: it takes a member
 * that lies whole in a bounded window and whose output fits a bounded buffer, and checks
 * its CRC-32 and length as gzip does; anything else (a member larger than the window, a
 * corrupt one) is left to the caller's zlib path, which decides and reports. Bounded
 * buffers mean a hostile member cannot make it use more memory.
 *
 * <p>One instance per stream (not thread-safe); its native memory goes with it.
 */
final class LibdeflateInflater {
    private static final Logger LOG = Logger.getLogger(LibdeflateInflater.class.getName());
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    private static final Optional<Handles> HANDLES = load();

    /** Largest compressed member tried: our writer's members hold 256 KiB of input. */
    static final int MAX_IN = 320 << 10;
    /** Largest output tried. */
    static final int MAX_OUT = 1 << 20;

    private record Handles(MethodHandle alloc, MethodHandle decompress, MethodHandle free) {
    }

    private final Handles h;
    private final MemorySegment decompressor;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment in = arena.allocate(MAX_IN);
    private final MemorySegment out = arena.allocate(MAX_OUT);
    private final MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, 2);

    private LibdeflateInflater(Handles h, MemorySegment decompressor) {
        this.h = h;
        this.decompressor = decompressor;
        MethodHandle f = h.free();
        CLEANER.register(this, () -> {
            try {
                f.invokeExact(decompressor);
            } catch (Throwable e) {
                // nothing to do in a cleaner
            }
        });
    }

    /** A new inflater, or empty where libdeflate is missing or native access refused. */
    static Optional<LibdeflateInflater> create() {
        if (HANDLES.isEmpty()) {
            return Optional.empty();
        }
        try {
            MemorySegment d = (MemorySegment) HANDLES.get().alloc().invokeExact();
            return d.address() == 0 ? Optional.empty() : Optional.of(new LibdeflateInflater(HANDLES.get(), d));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    private static Optional<Handles> load() {
        Optional<SymbolLookup> found = Libdeflate.library();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = found.get();
            MethodHandle alloc = linker.downcallHandle(lib.findOrThrow("libdeflate_alloc_decompressor"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            // enum libdeflate_result libdeflate_gzip_decompress_ex(d, in, in_nbytes, out,
            //     out_nbytes_avail, size_t *actual_in_nbytes_ret, size_t *actual_out_nbytes_ret)
            MethodHandle decompress = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_decompress_ex"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS));
            MethodHandle free = linker.downcallHandle(lib.findOrThrow("libdeflate_free_decompressor"),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            return Optional.of(new Handles(alloc, decompress, free));
        } catch (Throwable e) {
            LOG.fine("libdeflate decompression not used: " + e);
            return Optional.empty();
        }
    }

    /** What one member gave: the input it used (header and trailer included) and its output. */
    record Member(int consumed, int produced) {
    }

    /**
     * Decompresses the gzip member at the start of {@code b[off, off+len)} into
     * {@code dst} (at least {@link #MAX_OUT} long). Empty when the fast path does not
     * apply: the member is not whole in the first {@link #MAX_IN} bytes, its output is
     * larger than {@link #MAX_OUT}, or it is corrupt (the zlib path then reports it).
     */
    Optional<Member> member(byte[] b, int off, int len, byte[] dst) {
        int n = Math.min(len, MAX_IN);
        MemorySegment.copy(b, off, in, ValueLayout.JAVA_BYTE, 0, n);
        int rc;
        try {
            rc = (int) h.decompress().invokeExact(decompressor, in, (long) n, out, (long) MAX_OUT,
                    sizes, sizes.asSlice(8));
        } catch (Throwable e) {
            return Optional.empty();
        }
        if (rc != 0) {
            return Optional.empty(); // bad data, short input, or not enough room
        }
        long used = sizes.get(ValueLayout.JAVA_LONG, 0);
        long made = sizes.get(ValueLayout.JAVA_LONG, 8);
        if (used <= 0 || used > n || made < 0 || made > MAX_OUT) {
            return Optional.empty();
        }
        MemorySegment.copy(out, ValueLayout.JAVA_BYTE, 0, dst, 0, (int) made);
        return Optional.of(new Member((int) used, (int) made));
    }
}
