package org.qubicle.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the bytes of one backed-up file come from.
 * <ul>
 * <li>{@link Image}: a volume image file (private.img, root.img), stored as a sparse
 *     member so that its holes cost nothing;
 * <li>{@link Bytes}: a small file given in memory (firewall.xml, notes.txt).
 * </ul>
 */
public sealed interface BackupSource {
    /** Bytes this source contributes to the qube's {@code backup-size}. */
    long size();

    /** A volume image read from {@code path}; it must not change during the backup. */
    record Image(Path path) implements BackupSource {
        @Override
        public long size() {
            try {
                return Files.size(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Content given in memory. */
    record Bytes(byte[] bytes) implements BackupSource {
        public Bytes {
            bytes = bytes.clone();
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    static BackupSource image(Path path) {
        return new Image(path);
    }

    static BackupSource bytes(byte[] bytes) {
        return new Bytes(bytes);
    }
}
