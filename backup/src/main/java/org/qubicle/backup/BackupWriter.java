package org.qubicle.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.backup.tar.InnerTarWriter;
import org.qubicle.backup.tar.OuterTarWriter;
import org.qubicle.model.exc.QubesValueError;

/**
 * Writes a Qubes backup, format version 4, to a stream.
 *
 * <pre>{@code
 * var entries = List.of(new BackupEntry("work", "vm3/", Map.of(
 *         "private.img", BackupSource.image(privateImg),
 *         "firewall.xml", BackupSource.bytes(firewallXml))));
 * BackupResult r = new BackupWriter(new Passphrase("correct horse"), BackupOptions.defaults())
 *         .write(qubesXml, entries, out);
 * }</pre>
 *
 * {@code qubesXml} is written as given: the caller has already set the
 * {@code backup-content}, {@code backup-path} and {@code backup-size} features on its
 * copy (see {@link BackupEntry#declaredSize()}). The output can be read by Qubes'
 * {@code qvm-backup-restore} and by the emergency procedure with GNU tar, scrypt and gzip.
 */
public final class BackupWriter {
    private final Passphrase pass;
    private final BackupOptions opts;

    public BackupWriter(Passphrase pass, BackupOptions opts) {
        this.pass = pass;
        this.opts = opts;
    }

    /** What was written: the id and the chunk count per file. */
    public record BackupResult(String backupId, List<String> members) {}

    public BackupResult write(byte[] qubesXml, List<BackupEntry> entries, OutputStream out) throws IOException {
        return write(qubesXml, entries, out, BackupProgress.NONE);
    }

    /** As {@link #write(byte[], List, OutputStream)}, reporting progress as it goes. */
    public BackupResult write(byte[] qubesXml, List<BackupEntry> entries, OutputStream out, BackupProgress progress)
            throws IOException {
        long total = 0;
        for (BackupEntry e : entries) {
            total += e.declaredSize();
        }
        long done = 0;
        progress.update(0, total);
        Set<String> paths = new HashSet<>();
        for (BackupEntry e : entries) {
            if (!paths.add(e.backupPath())) {
                throw new QubesValueError("backup-path used twice: " + e.backupPath());
            }
        }
        long mtime = System.currentTimeMillis() / 1000;
        OuterTarWriter tar = new OuterTarWriter(out, mtime);
        List<String> members = new ArrayList<>();
        BackupHeader header = new BackupHeader(4, opts.compression().compressed(),
                opts.compression().filterName(), opts.backupId());
        byte[] headerBytes = header.toBytes();
        tar.writeMember("backup-header", headerBytes, 0, headerBytes.length);
        byte[] hmac = ScryptContainer.encrypt(pass.headerKey(), opts.scrypt(), headerBytes);
        tar.writeMember("backup-header.hmac", hmac, 0, hmac.length);
        members.add("backup-header");
        members.add("backup-header.hmac");

        ExecutorService pool = Executors.newFixedThreadPool(opts.threads(), r -> {
            Thread t = new Thread(r, "backup-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            ChunkPipeline p = new ChunkPipeline(pool, opts, pass, tar);
            p.beginFile("qubes.xml");
            InnerTarWriter xmlTar = new InnerTarWriter(p, mtime);
            xmlTar.writeBytes("qubes.xml", qubesXml);
            xmlTar.finish();
            if (p.endFile() != 1) {
                // The restore reads only qubes.xml.000.enc.
                throw new QubesValueError("qubes.xml does not fit one chunk");
            }
            members.add("qubes.xml.000.enc");
            for (BackupEntry e : entries) {
                for (Map.Entry<String, BackupSource> f : e.files().entrySet()) {
                    String name = e.backupPath() + f.getKey();
                    p.beginFile(name);
                    long size = f.getValue().size();
                    InnerTarWriter inner = new InnerTarWriter(
                            progress == BackupProgress.NONE ? p : new CountingStream(p, progress, done, size, total),
                            mtime);
                    switch (f.getValue()) {
                        case BackupSource.Image img -> inner.writeSparseFile(name, img.path());
                        case BackupSource.Bytes b -> inner.writeBytes(name, b.bytes());
                    }
                    inner.finish();
                    int chunks = p.endFile();
                    done += size;
                    progress.update(done, total);
                    for (int i = 0; i < chunks; i++) {
                        members.add(name + "." + String.format("%03d", i) + ".enc");
                    }
                }
            }
            p.finish();
        } finally {
            pool.shutdownNow();
        }
        return new BackupResult(opts.backupId(), List.copyOf(members));
    }
}
