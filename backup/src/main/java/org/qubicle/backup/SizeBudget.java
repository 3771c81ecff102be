package org.qubicle.backup;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes a qube's files may still produce once decompressed. The limit comes
 * from the {@code backup-size} declared in qubes.xml plus a margin for tar headers and
 * compression overhead; exceeding it means a backup bomb (or a forged size), and the
 * restore stops before the disk fills.
 */
final class SizeBudget {
    private final String qube;
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    SizeBudget(String qube, long declared, boolean unlimited) {
        this.qube = qube;
        this.limit = unlimited ? Long.MAX_VALUE : allowance(declared);
    }

    /** declared + 1/64 + 1 MiB: tar headers, sparse maps and gzip's worst case fit well inside. */
    static long allowance(long declared) {
        return declared + declared / 64 + (1 << 20);
    }

    void charge(long n) {
        long now = used.addAndGet(n);
        if (now > limit) {
            throw new BackupCorruptedError("backup of " + qube + " expands past its declared size ("
                    + limit + " bytes allowed): refusing a possible backup bomb"
                    + " (use the ignore-size-limit option only for a backup you trust)");
        }
    }

    InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c >= 0) {
                    charge(1);
                }
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    charge(n);
                }
                return n;
            }
        };
    }
}
