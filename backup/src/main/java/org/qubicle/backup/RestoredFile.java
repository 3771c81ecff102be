package org.qubicle.backup;

/**
 * A file that {@link BackupReader} verified or restored.
 *
 * @param qube the qube's name in the backup
 * @param path the file's name inside the backup, e.g. {@code vm3/private.img}; when
 *     restored, it is at {@code staging.resolve(path)}
 * @param size logical size in bytes (holes included)
 */
public record RestoredFile(String qube, String path, long size) {}
