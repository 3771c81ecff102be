package org.qubicle.backup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.backup.tar.OuterTarWriter;

/**
 * The writer's parallel pipeline for one logical file at a time:
 *
 * <pre>
 * inner tar bytes ─► blocks of 256 KiB ─► compress (pool) ─► in order ─► chunk of ≤100 MiB
 *      ─► scrypt seal (pool; KDF started when the chunk starts) ─► in order ─► outer tar
 * </pre>
 *
 * The calling thread produces the blocks and writes the output; the pool does the
 * CPU work. Memory is bounded by the two windows: {@code 4 * threads + 4} blocks being
 * compressed and {@code threads} sealed chunks waiting to be written, plus the chunk
 * being filled.
 */
final class ChunkPipeline extends OutputStream {
    /** Compression block: small enough to stay out of G1's humongous regions. */
    static final int BLOCK = 256 * 1024;

    private final ExecutorService pool;
    private final Compression compression;
    private final ScryptParams params;
    private final Passphrase pass;
    private final String backupId;
    private final OuterTarWriter out;
    private final int chunkSize;
    private final int blockWindow;
    private final int chunkWindow;

    private final ArrayDeque<CompletableFuture<byte[]>> compressing = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Sealed>> sealing = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spareChunks = new ArrayDeque<>();

    private byte[] block = new byte[BLOCK];
    private int blockLen;

    private String fileName;      // e.g. vm3/private.img
    private int chunkIndex;
    private byte[] chunk;         // container layout: 96 header bytes, data, 32 trailer bytes
    private int chunkLen;
    private CompletableFuture<ScryptContainer.Keys> chunkKeys;
    private int chunksOfFile;

    private record Sealed(String name, byte[] buf, int len) {}

    ChunkPipeline(ExecutorService pool, BackupOptions opts, Passphrase pass, OuterTarWriter out) {
        this.pool = pool;
        this.compression = opts.compression();
        this.params = opts.scrypt();
        this.pass = pass;
        this.backupId = opts.backupId();
        this.out = out;
        this.chunkSize = opts.chunkSize();
        this.blockWindow = 4 * opts.threads() + 4;
        this.chunkWindow = Math.max(1, opts.threads());
    }

    /** Starts a logical file; its inner tar is then written to this stream. */
    void beginFile(String name) {
        fileName = name;
        chunkIndex = 0;
        chunksOfFile = 0;
        startChunk();
    }

    /** Ends the current file; returns the number of chunks it took. */
    int endFile() throws IOException {
        submitBlock();
        while (!compressing.isEmpty()) {
            appendCompressed(join(compressing.poll()));
        }
        sealChunk();
        chunk = null;
        chunkKeys = null;
        return chunksOfFile;
    }

    /** Waits for every chunk to be written. */
    void finish() throws IOException {
        while (!sealing.isEmpty()) {
            writeSealed(join(sealing.poll()));
        }
        out.flush();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BLOCK - blockLen);
            System.arraycopy(b, off, block, blockLen, n);
            blockLen += n;
            off += n;
            len -= n;
            if (blockLen == BLOCK) {
                submitBlock();
            }
        }
    }

    private void submitBlock() throws IOException {
        if (blockLen == 0) {
            return;
        }
        byte[] data = block;
        int len = blockLen;
        compressing.add(CompletableFuture.supplyAsync(() -> compression.compressBlock(data, 0, len), pool));
        block = new byte[BLOCK];
        blockLen = 0;
        while (compressing.size() > blockWindow) {
            appendCompressed(join(compressing.poll()));
        }
    }

    private void appendCompressed(byte[] c) throws IOException {
        int off = 0;
        while (off < c.length) {
            if (chunkLen == chunkSize) {
                sealChunk();
                chunkIndex++;
                startChunk();
            }
            int n = Math.min(c.length - off, chunkSize - chunkLen);
            ensureCapacity(chunkLen + n);
            System.arraycopy(c, off, chunk, ScryptContainer.HEADER + chunkLen, n);
            chunkLen += n;
            off += n;
        }
    }

    private void ensureCapacity(int dataLen) {
        int need = dataLen + ScryptContainer.OVERHEAD;
        if (chunk.length < need) {
            int full = chunkSize + ScryptContainer.OVERHEAD;
            byte[] bigger = spareChunks.isEmpty() || need <= (1 << 20) ? null : spareChunks.poll();
            if (bigger == null) {
                bigger = new byte[(int) Math.min(full, Math.max(need, 2L * chunk.length))];
            }
            System.arraycopy(chunk, 0, bigger, 0, ScryptContainer.HEADER + chunkLen);
            chunk = bigger;
        }
    }

    private String chunkName() {
        return fileName + "." + String.format("%03d", chunkIndex);
    }

    private void startChunk() {
        chunk = new byte[64 * 1024];
        chunkLen = 0;
        byte[] key = pass.chunkKey(backupId, chunkName());
        // The KDF needs only the name and a salt: run it while the chunk fills.
        chunkKeys = CompletableFuture.supplyAsync(() -> ScryptContainer.deriveNew(key, params), pool);
    }

    private void sealChunk() throws IOException {
        byte[] buf = chunk;
        int len = chunkLen;
        String name = chunkName() + ".enc";
        if (buf.length < len + ScryptContainer.OVERHEAD) {
            buf = Arrays.copyOf(buf, len + ScryptContainer.OVERHEAD);
        }
        byte[] sealedBuf = buf;
        sealing.add(chunkKeys.thenApplyAsync(keys -> {
            ScryptContainer.seal(keys, sealedBuf, len);
            return new Sealed(name, sealedBuf, len + ScryptContainer.OVERHEAD);
        }, pool));
        chunksOfFile++;
        while (sealing.size() > chunkWindow) {
            writeSealed(join(sealing.poll()));
        }
    }

    private void writeSealed(Sealed s) throws IOException {
        out.writeMember(s.name(), s.buf(), 0, s.len());
        if (s.buf().length == chunkSize + ScryptContainer.OVERHEAD && spareChunks.isEmpty()) {
            spareChunks.add(s.buf()); // reuse full-size buffers instead of allocating 100 MiB again
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("backup interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException(c);
        }
    }
}
