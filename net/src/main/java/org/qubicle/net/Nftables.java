package org.qubicle.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * nft scripts loaded through libnftables inside the daemon (the foreign function API), one
 * transaction per script as {@code nft -f -} makes it, without starting an nft process: that
 * costs 20-25 ms here, mostly the tool's own start, on every link and firewall change.
 * {@link #available()} is false where the library cannot be loaded; {@link Cmd#nft} then
 * runs the tool.
 *
 * <p>The context, and with it the netlink socket, is made on the calling thread, so the
 * script applies to that thread's network namespace ({@link NetNs#in}). Calls are serialised.
 */
final class Nftables {
    private static final Logger LOG = Logger.getLogger(Nftables.class.getName());
    private static final Lib LIB = Lib.load();
    private static final ReentrantLock LOCK = new ReentrantLock();

    private Nftables() {
    }

    static boolean available() {
        return LIB != null;
    }

    /**
     * Runs {@code script} in the calling thread's network namespace.
     *
     * @throws NetException with nft's own error text if it fails
     */
    static void run(String script) {
        LOCK.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = (MemorySegment) LIB.ctxNew.invokeExact(0);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new NetException("nft: cannot make a libnftables context");
            }
            try {
                int ignored = (int) LIB.bufferOutput.invokeExact(ctx);
                ignored = (int) LIB.bufferError.invokeExact(ctx);
                int rc = (int) LIB.runFromBuffer.invokeExact(ctx, arena.allocateFrom(script));
                if (rc != 0) {
                    MemorySegment err = (MemorySegment) LIB.errorBuffer.invokeExact(ctx);
                    String text = err.equals(MemorySegment.NULL) ? "" : err.reinterpret(1 << 20).getString(0);
                    throw new NetException("nft -f - failed (" + rc + "): " + text.strip());
                }
            } finally {
                LIB.ctxFree.invokeExact(ctx);
            }
        } catch (NetException e) {
            throw e;
        } catch (Throwable e) {
            throw new NetException("nft: " + e);
        } finally {
            LOCK.unlock();
        }
    }

    /** The library's entry points, or null where it is missing. */
    private record Lib(MethodHandle ctxNew, MethodHandle ctxFree, MethodHandle bufferOutput, MethodHandle bufferError,
                       MethodHandle errorBuffer, MethodHandle runFromBuffer) {
        static Lib load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libnftables.so.1", Arena.global());
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout p = ValueLayout.ADDRESS;
                return new Lib(
                        linker.downcallHandle(lib.findOrThrow("nft_ctx_new"), FunctionDescriptor.of(p, i)),
                        linker.downcallHandle(lib.findOrThrow("nft_ctx_free"), FunctionDescriptor.ofVoid(p)),
                        linker.downcallHandle(lib.findOrThrow("nft_ctx_buffer_output"), FunctionDescriptor.of(i, p)),
                        linker.downcallHandle(lib.findOrThrow("nft_ctx_buffer_error"), FunctionDescriptor.of(i, p)),
                        linker.downcallHandle(lib.findOrThrow("nft_ctx_get_error_buffer"), FunctionDescriptor.of(p, p)),
                        linker.downcallHandle(lib.findOrThrow("nft_run_cmd_from_buffer"), FunctionDescriptor.of(i, p, p)));
            } catch (RuntimeException | LinkageError e) {
                LOG.info("libnftables not usable (" + e.getMessage() + "); nft scripts run the nft tool");
                return null;
            }
        }
    }
}
