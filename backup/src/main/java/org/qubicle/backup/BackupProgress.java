package org.qubicle.backup;

/**
 * Told how far a {@link BackupWriter} got: bytes of the qubes' files read so far out of
 * the sum of their declared sizes (a sparse image's holes count as done at its end). It
 * runs on the writing thread; throwing from it (for example {@code BackupCancelledError})
 * stops the backup with that exception.
 */
@FunctionalInterface
public interface BackupProgress {
    void update(long doneBytes, long totalBytes);

    BackupProgress NONE = (done, total) -> { };
}
