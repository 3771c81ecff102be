package org.qubicle.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.model.exc.QubesValueError;

/**
 * Settings of {@link BackupWriter}.
 *
 * @param compression the filter (gzip by default; xz, zstd, none)
 * @param scrypt KDF parameters for every container ({@link ScryptParams#DEFAULT})
 * @param threads worker threads for compression and encryption (cores by default)
 * @param backupId the id bound into every chunk key; Qubes' form is {@code YYYYMMDDTHHMMSS-<pid>}
 * @param chunkSize bytes of compressed data per chunk (100 MiB in Qubes; smaller only for tests)
 */
public record BackupOptions(Compression compression, ScryptParams scrypt, int threads, String backupId,
        int chunkSize) {
    /** Qubes' chunk size: 100 MiB of compressed bytes. */
    public static final int CHUNK_SIZE = 100 * 1024 * 1024;

    public BackupOptions {
        if (threads < 1 || threads > 256) {
            throw new QubesValueError("threads out of range: " + threads);
        }
        if (chunkSize < 4096 || chunkSize > CHUNK_SIZE) {
            throw new QubesValueError("chunk size out of range: " + chunkSize);
        }
        new BackupHeader(4, compression.compressed(), compression.filterName(), backupId); // validates the id
    }

    /** gzip, default scrypt parameters, all cores, a fresh Qubes-style backup id. */
    public static BackupOptions defaults() {
        return new BackupOptions(Compression.gzip(), ScryptParams.DEFAULT,
                Runtime.getRuntime().availableProcessors(), newBackupId(), CHUNK_SIZE);
    }

    public BackupOptions withCompression(Compression c) {
        return new BackupOptions(c, scrypt, threads, backupId, chunkSize);
    }

    public BackupOptions withScrypt(ScryptParams p) {
        return new BackupOptions(compression, p, threads, backupId, chunkSize);
    }

    public BackupOptions withThreads(int t) {
        return new BackupOptions(compression, scrypt, t, backupId, chunkSize);
    }

    public BackupOptions withBackupId(String id) {
        return new BackupOptions(compression, scrypt, threads, id, chunkSize);
    }

    public BackupOptions withChunkSize(int size) {
        return new BackupOptions(compression, scrypt, threads, backupId, size);
    }

    /** {@code strftime("%Y%m%dT%H%M%S-") + pid}, as qubes.backup makes it. */
    public static String newBackupId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + ProcessHandle.current().pid();
    }
}
