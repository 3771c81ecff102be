package org.qubicle.backup.tools;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on standard error: percentage, bar, throughput and time left.
 * Redrawn with a carriage return at most once per tenth of a percent; {@link #done()} ends
 * the line. Silent when disabled (-q).
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private int lastPermille = -1;
    private boolean drawn;

    ProgressBar(PrintWriter err, String label, boolean enabled) {
        this.err = err;
        this.label = label;
        this.enabled = enabled;
    }

    /** @param percent 0..100 @param bytes bytes done so far (for the throughput), or -1 */
    synchronized void update(double percent, long bytes) {
        if (!enabled) {
            return;
        }
        int permille = (int) Math.max(0, Math.min(1000, Math.round(percent * 10)));
        if (permille == lastPermille) {
            return;
        }
        lastPermille = permille;
        double secs = (System.nanoTime() - startNanos) / 1e9;
        int fill = permille * WIDTH / 1000;
        StringBuilder sb = new StringBuilder("\r").append(label).append(" [")
                .append("#".repeat(fill)).append(".".repeat(WIDTH - fill)).append("] ")
                .append(String.format(Locale.ROOT, "%5.1f%%", permille / 10.0));
        if (bytes >= 0 && secs > 0.5) {
            sb.append(String.format(Locale.ROOT, "  %.1f MiB/s", bytes / secs / (1 << 20)));
        }
        if (permille > 0 && permille < 1000 && secs > 0.5) {
            long left = Math.round(secs * (1000 - permille) / permille);
            sb.append(String.format(Locale.ROOT, "  ETA %d:%02d:%02d", left / 3600, left / 60 % 60, left % 60));
        }
        err.print(sb);
        err.flush();
        drawn = true;
    }

    synchronized void done() {
        if (enabled && drawn) {
            err.println();
            err.flush();
        }
        drawn = false;
    }
}
