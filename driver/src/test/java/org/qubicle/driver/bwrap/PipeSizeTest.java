package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forker call's FIFOs take 1 MiB at once: a writer gets that far with no reader reading. */
class PipeSizeTest {
    @TempDir
    Path tmp;

    @Test
    void aGrownFifoHoldsHalfAMebibyteUnread() throws Exception {
        Path fifo = tmp.resolve("in");
        Mounts.fifo(fifo);
        // O_RDWR holds both ends: the writer's open below returns, and nothing reads.
        try (RandomAccessFile ends = new RandomAccessFile(fifo.toFile(), "rw")) {
            assertTrue(Mounts.growPipe(fifo, 1 << 20));
            CompletableFuture<Void> wrote = CompletableFuture.runAsync(() -> {
                try (FileOutputStream w = new FileOutputStream(fifo.toFile())) {
                    w.write(new byte[512 * 1024]); // eight times a default pipe
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Completion, not speed: with a 64 KiB pipe this write never returns.
            wrote.get(60, TimeUnit.SECONDS);
            assertEquals(512 * 1024, drain(ends, 512 * 1024));
        }
    }

    @Test
    void aPathThatIsNoFifoIsRefused() throws Exception {
        assertFalse(Mounts.growPipe(tmp.resolve("absent"), 1 << 20));
    }

    private static int drain(RandomAccessFile f, int want) throws Exception {
        byte[] b = new byte[want];
        int got = 0;
        while (got < want) {
            got += f.read(b, got, want - got);
        }
        return got;
    }
}
