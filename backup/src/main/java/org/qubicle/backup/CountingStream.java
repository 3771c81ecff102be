package org.qubicle.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Counts the inner-tar bytes of one file on their way into the pipeline and reports the
 * running total to a {@link BackupProgress}, at most once per MiB so that the listener
 * (events, a terminal bar) costs nothing measurable.
 */
final class CountingStream extends FilterOutputStream {
    private static final long STEP = 1 << 20;
    private final BackupProgress progress;
    private final long base;
    private final long cap;
    private final long total;
    private long count;
    private long lastReport;

    /** @param base bytes of earlier files; @param cap this file's declared size */
    CountingStream(OutputStream out, BackupProgress progress, long base, long cap, long total) {
        super(out);
        this.progress = progress;
        this.base = base;
        this.cap = cap;
        this.total = total;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        advance(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        advance(len);
    }

    private void advance(long n) {
        count += n;
        if (count - lastReport >= STEP) {
            lastReport = count;
            progress.update(base + Math.min(count, cap), total);
        }
    }

    @Override
    public void close() {
        // The pipeline outlives this file; it is closed by the writer.
    }
}
