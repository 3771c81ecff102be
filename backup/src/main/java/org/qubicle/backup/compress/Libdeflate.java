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
 * gzip members made by libdeflate (Debian package {@code libdeflate0}) through the FFM
 * API: a whole 256 KiB block in one call, about twice zlib's speed per core at a better
 * ratio. Optional: when the library is missing or native access is refused, the JDK's
 * zlib is used, and the output is gzip either way.
 *
 * <p>A compressor is not thread-safe: each worker thread keeps its own, with its native
 * buffers, for the life of the thread (the pipeline's threads are few and long-lived).
 */
final class Libdeflate {
    private static final Logger LOG = Logger.getLogger(Libdeflate.class.getName());
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    private static final Optional<Libdeflate> INSTANCE = load();

    private final MethodHandle alloc;
    private final MethodHandle compress;
    private final MethodHandle bound;
    private final MethodHandle free;
    private final ThreadLocal<Worker> workers;

    private Libdeflate(MethodHandle alloc, MethodHandle compress, MethodHandle bound, MethodHandle free) {
        this.alloc = alloc;
        this.compress = compress;
        this.bound = bound;
        this.free = free;
        this.workers = ThreadLocal.withInitial(Worker::new);
    }

    static Optional<Libdeflate> get() {
        return INSTANCE;
    }

    private static Optional<Libdeflate> load() {
        Optional<SymbolLookup> found = library();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = found.get();
            MethodHandle alloc = linker.downcallHandle(lib.findOrThrow("libdeflate_alloc_compressor"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle compress = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_compress"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            MethodHandle bound = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_compress_bound"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            MethodHandle free = linker.downcallHandle(lib.findOrThrow("libdeflate_free_compressor"),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            Libdeflate l = new Libdeflate(alloc, compress, bound, free);
            l.compress(new byte[16], 0, 16, 1); // fails here, not mid-backup, if something is wrong
            return Optional.of(l);
        } catch (Throwable e) {
            LOG.fine("libdeflate not used: " + e);
            return Optional.empty();
        }
    }

    /**
     * {@code libdeflate.so.0}, unless it is missing, native access is refused, or the system
     * property {@code qubicle.backup.noLibdeflate} turns it off. Shared by the compressor
     * and {@link LibdeflateInflater}.
     */
    static Optional<SymbolLookup> library() {
        if (Boolean.getBoolean("qubicle.backup.noLibdeflate")) {
            return Optional.empty();
        }
        try {
            return Optional.of(SymbolLookup.libraryLookup("libdeflate.so.0", Arena.global()));
        } catch (RuntimeException e) {
            LOG.fine("libdeflate not found: " + e);
            return Optional.empty();
        }
    }

    /**
     * One thread's compressors (per level) and native in/out buffers. The buffers are
     * freed by the GC with the worker (automatic arena); the compressors by a cleaner.
     */
    private final class Worker {
        private final Arena arena = Arena.ofAuto();
        private final MemorySegment[] compressors = new MemorySegment[13];
        private MemorySegment in = MemorySegment.NULL;
        private MemorySegment out = MemorySegment.NULL;

        Worker() {
            MemorySegment[] owned = compressors;
            MethodHandle f = free;
            CLEANER.register(this, () -> {
                for (MemorySegment c : owned) {
                    if (c != null) {
                        try {
                            f.invokeExact(c);
                        } catch (Throwable e) {
                            // nothing to do in a cleaner
                        }
                    }
                }
            });
        }

        MemorySegment compressor(int level) throws Throwable {
            if (compressors[level] == null) {
                MemorySegment c = (MemorySegment) alloc.invokeExact(level);
                if (c.address() == 0) {
                    throw new OutOfMemoryError("libdeflate_alloc_compressor");
                }
                compressors[level] = c;
            }
            return compressors[level];
        }

        void ensure(long inSize, long outSize) {
            if (in.byteSize() < inSize) {
                in = arena.allocate(Math.max(inSize, 256 << 10));
            }
            if (out.byteSize() < outSize) {
                out = arena.allocate(Math.max(outSize, (256 << 10) + 4096));
            }
        }
    }

    /** One complete gzip member holding {@code b[off, off+len)}. */
    byte[] compress(byte[] b, int off, int len, int level) {
        try {
            Worker w = workers.get();
            MemorySegment c = w.compressor(level);
            long max = (long) bound.invokeExact(c, (long) len);
            w.ensure(len, max);
            MemorySegment.copy(b, off, w.in, ValueLayout.JAVA_BYTE, 0, len);
            long n = (long) compress.invokeExact(c, w.in, (long) len, w.out, max);
            if (n <= 0) {
                throw new IllegalStateException("libdeflate_gzip_compress failed");
            }
            return w.out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
