package org.qubicle.backup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.backup.tar.OuterTarReader;
import org.qubicle.backup.xml.BackupQube;

/**
 * Reads the chunks after qubes.xml. Per member it checks, before decrypting anything:
 * the {@code .enc} extension, that the name lies under the backup-path of a qube that
 * qubes.xml marks as backed up, that a file's chunks run {@code .000, .001, ...} without
 * gap, that a file appears once and a qube's files are contiguous, and the sizes. Chunks
 * are then decrypted on a pool (authenticated completely first), delivered in order to
 * one consumer thread per file that decompresses and untars them, under the qube's size
 * budget. At the end every selected qube must have had its files.
 */
final class BodyReader {
    private static final Pattern CHUNK = Pattern.compile("(.+)\\.([0-9]{3,9})");

    private final OuterTarReader tar;
    private final Passphrase pass;
    private final String backupId;
    private final ReaderOptions opts;
    private final BackupReader.KdfLimiter kdf;
    private final Compression compression;
    private final List<BackupQube> backedUp;
    private final Set<String> selected = new HashSet<>();
    private final Path root;

    private final ArrayDeque<CompletableFuture<Plain>> decrypting = new ArrayDeque<>();
    /** Two idle chunk buffers at most, beside those in the pipeline. */
    private final ChunkBuffers buffers = new ChunkBuffers(2);
    private final List<RestoredFile> results = new ArrayList<>();
    private final Map<String, SizeBudget> plainBudget = new HashMap<>();
    private final Map<String, SizeBudget> encBudget = new HashMap<>();

    private ChunkStream stream;
    private FutureTask<List<InnerExtractor.Extracted>> consumer;
    private Thread consumerThread;
    private BackupQube fileQube;
    private String fileName;
    private int fileIndex;

    private record Plain(byte[] buf, int len) {}

    BodyReader(OuterTarReader tar, Passphrase pass, String backupId, ReaderOptions opts,
            BackupReader.KdfLimiter kdf, Compression compression, List<BackupQube> backedUp,
            List<BackupQube> selected, Path root) {
        this.tar = tar;
        this.pass = pass;
        this.backupId = backupId;
        this.opts = opts;
        this.kdf = kdf;
        this.compression = compression;
        this.backedUp = backedUp;
        selected.forEach(q -> this.selected.add(q.name()));
        this.root = root;
    }

    List<RestoredFile> run() throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(opts.threads(), r -> {
            Thread t = new Thread(r, "restore-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            loop(pool);
            return List.copyOf(results);
        } finally {
            pool.shutdownNow();
            if (consumerThread != null && consumerThread.isAlive()) {
                consumerThread.interrupt();
                try {
                    consumerThread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void loop(ExecutorService pool) throws IOException {
        Set<String> seenFiles = new HashSet<>();
        Set<String> doneQubes = new HashSet<>();
        Set<String> qubesWithFiles = new HashSet<>();
        BackupQube currentQube = null;
        OuterTarReader.Member m;
        while ((m = tar.next()) != null) {
            String name = m.name();
            if (!name.endsWith(".enc")) {
                throw new BackupCorruptedError("Invalid file extension found in archive: " + name);
            }
            Matcher cm = CHUNK.matcher(name.substring(0, name.length() - 4));
            if (!cm.matches() || !String.format("%03d", Integer.parseInt(cm.group(2))).equals(cm.group(2))) {
                throw new BackupCorruptedError("Unexpected file in archive: " + name + " (no chunk number)");
            }
            String base = cm.group(1);
            int index = Integer.parseInt(cm.group(2));
            BackupQube qube = owner(base);
            if (qube == null) {
                throw new BackupCorruptedError("Unexpected file in archive: " + name
                        + " (not under the backup-path of any backed-up qube)");
            }
            if (m.size() < ScryptContainer.OVERHEAD || m.size() > BackupOptions.CHUNK_SIZE + ScryptContainer.OVERHEAD) {
                throw new BackupCorruptedError("chunk " + name + " has an invalid size " + m.size());
            }
            if (index == 0) {
                if (!seenFiles.add(base)) {
                    throw new BackupCorruptedError("Unexpected file in archive: " + name + " (" + base
                            + " appears twice)");
                }
                finishFile();
                if (qube != currentQube) {
                    if (currentQube != null) {
                        doneQubes.add(currentQube.name());
                    }
                    if (doneQubes.contains(qube.name())) {
                        throw new BackupCorruptedError("Unexpected file in archive: " + name
                                + " (files of " + qube.name() + " are not contiguous)");
                    }
                    currentQube = qube;
                }
                qubesWithFiles.add(qube.name());
                startFile(qube, base);
            } else if (!base.equals(fileName) || index != fileIndex + 1) {
                String expected = fileName == null ? "a .000 chunk"
                        : fileName + "." + String.format("%03d", fileIndex + 1) + ".enc";
                throw new BackupCorruptedError("Unexpected file in archive: " + name + ", expected " + expected);
            }
            fileIndex = index;
            encBudget.computeIfAbsent(qube.name(), k -> budget(qube)).charge(m.size());
            if (!selected.contains(qube.name())) {
                tar.skipData();
                continue;
            }
            int size = (int) m.size();
            byte[] buf = buffers.take(size);
            tar.readData(buf, 0);
            byte[] key = pass.chunkKey(backupId, name.substring(0, name.length() - 4));
            decrypting.add(CompletableFuture.supplyAsync(
                    () -> new Plain(buf, kdf.open(key, buf, size, name)), pool));
            while (decrypting.size() > opts.threads()) {
                deliver();
            }
        }
        finishFile();
        for (BackupQube q : backedUp) {
            if (selected.contains(q.name()) && !qubesWithFiles.contains(q.name())) {
                throw new BackupCorruptedError("backup of " + q.name() + " (" + q.backupPath()
                        + ") not found in archive: truncated or incomplete backup");
            }
        }
    }

    private SizeBudget budget(BackupQube q) {
        if (q.backupSize() < 0 && !opts.ignoreSizeLimit()) {
            throw new BackupCorruptedError("qube " + q.name() + " has no backup-size in qubes.xml;"
                    + " its size cannot be checked (use ignore-size-limit for a backup you trust)");
        }
        return new SizeBudget(q.name(), Math.max(0, q.backupSize()), opts.ignoreSizeLimit());
    }

    /** The backed-up qube whose backup-path holds chunk base name {@code base}. */
    private BackupQube owner(String base) {
        for (BackupQube q : backedUp) {
            String p = q.backupPath();
            if (p.endsWith("/")) {
                if (base.startsWith(p) && base.length() > p.length() && base.indexOf('/', p.length()) < 0) {
                    return q;
                }
            } else if (base.equals(p)) {
                return q;
            }
        }
        return null;
    }

    private void startFile(BackupQube qube, String base) {
        fileQube = qube;
        fileName = base;
        fileIndex = 0;
        if (!selected.contains(qube.name())) {
            return;
        }
        ChunkStream s = new ChunkStream(buffers);
        SizeBudget b = plainBudget.computeIfAbsent(qube.name(), k -> budget(qube));
        boolean tree = !qube.backupPath().endsWith("/");
        FutureTask<List<InnerExtractor.Extracted>> task = new FutureTask<>(
                () -> InnerExtractor.extract(b.wrap(compression.decompress(s)), base, tree, root));
        stream = s;
        consumer = task;
        consumerThread = Thread.ofVirtual().name("restore-" + base).start(task);
    }

    private void deliver() throws IOException {
        Plain p = join(decrypting.poll());
        stream.put(p.buf(), ScryptContainer.HEADER, p.len(), consumer::isDone);
        if (consumer.isDone()) {
            joinConsumer(); // it failed, or stopped reading early: report now
            throw new BackupCorruptedError("archive " + fileName + ": data after the end of the archive");
        }
    }

    private void finishFile() throws IOException {
        if (consumer == null) {
            fileName = null;
            return;
        }
        while (!decrypting.isEmpty()) {
            deliver();
        }
        stream.end(consumer::isDone);
        for (InnerExtractor.Extracted e : joinConsumer()) {
            results.add(new RestoredFile(fileQube.name(), e.name(), e.size()));
        }
        consumer = null;
        consumerThread = null;
        stream = null;
    }

    private List<InnerExtractor.Extracted> joinConsumer() throws IOException {
        try {
            return consumer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static IOException rethrow(Throwable c) {
        if (c instanceof RuntimeException r && !(r instanceof UncheckedIOException)) {
            throw r;
        }
        if (c instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IOException(c);
    }
}
