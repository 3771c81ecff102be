package org.qubicle.storage.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.PoolContract;
import org.qubicle.storage.Volume;

/** The contract on real files, without root: the qube's writes go straight into the dirty image. */
class FilePoolContractTest extends PoolContract {
    @TempDir
    Path tmp;

    @Override
    protected Pool newPool() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("var/lib/qubes"));
        Pool p = new FilePoolDriver(tmp.resolve("run/qubes"))
                .open(new PoolConfig(POOL, FilePoolDriver.NAME, Map.of("dir_path", dir.toString())));
        p.setup();
        return p;
    }

    @Override
    protected Pool reopen(Pool old) {
        try {
            old.awaitBackgroundWork();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        Pool p = new FilePoolDriver(tmp.resolve("run/qubes")).open(old.config());
        p.setup();
        return p;
    }

    private Path dirty(Volume v) {
        return ((FileVolume) v).layout.dirty;
    }

    @Override
    protected void writeRunning(Volume v, long offset, byte[] data) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dirty(v).toFile(), "rw")) {
            f.seek(offset);
            f.write(data);
        }
    }

    @Override
    protected byte[] readRunning(Volume v, long offset, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dirty(v).toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(offset);
            f.readFully(b);
            return b;
        }
    }
}
