package org.qubicle.storage.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.qubicle.model.exc.StoragePoolException;

/**
 * Writes exactly {@code size} untrusted bytes into a fresh sparse image. All-zero blocks
 * are skipped, so an imported disk stays as sparse as the data allows. Short or long
 * input is an error: the caller declared the size and the image must be exactly that.
 */
final class ImportWriter {
    private static final int BLOCK = 64 * 1024;

    private ImportWriter() {}

    static void write(InputStream untrustedData, Path target, long size) {
        FileOps.createSparse(target, size);
        byte[] block = new byte[BLOCK];
        long pos = 0;
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            while (pos < size) {
                int want = (int) Math.min(BLOCK, size - pos);
                int got = untrustedData.readNBytes(block, 0, want);
                if (got < want) {
                    throw new StoragePoolException("Import data too short: got " + (pos + got) + " of " + size + " bytes");
                }
                if (!allZero(block, got)) {
                    ByteBuffer b = ByteBuffer.wrap(block, 0, got);
                    long at = pos;
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                }
                pos += got;
            }
            if (untrustedData.read() != -1) {
                throw new StoragePoolException("Import data longer than the declared " + size + " bytes");
            }
            ch.force(true);
        } catch (IOException e) {
            throw FileOps.fail("import into " + target, e);
        }
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
