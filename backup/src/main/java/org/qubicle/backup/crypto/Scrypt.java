package org.qubicle.backup.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The scrypt KDF (RFC 7914), written for speed: Salsa20/8 runs on sixteen local ints
 * inside BlockMix, and V is kept as int arrays of at most 512 MiB each so that logN 21+
 * works. Bouncy Castle's {@code SCrypt} gives the same bytes (the tests check it) but
 * took about twice the CPU time here, and the KDF is the cost of every chunk.
 */
final class Scrypt {
    private Scrypt() {}

    static byte[] derive(byte[] password, byte[] salt, int logN, int r, int p, int dkLen) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(password, "HmacSHA256"));
            byte[] b = pbkdf2(mac, salt, p * 128 * r);
            int[] x = new int[32 * r];
            int[] y = new int[32 * r];
            long n = 1L << logN;
            int rowInts = 32 * r;
            int rowsPerSeg = (int) Math.max(1, Math.min(n, (1 << 27) / rowInts));
            int segShift = Integer.numberOfTrailingZeros(rowsPerSeg);
            int[][] v = scratch((int) (n / rowsPerSeg), rowsPerSeg * rowInts);
            for (int i = 0; i < p; i++) {
                int off = i * 128 * r;
                for (int k = 0; k < rowInts; k++) {
                    x[k] = (b[off + 4 * k] & 0xff) | (b[off + 4 * k + 1] & 0xff) << 8
                            | (b[off + 4 * k + 2] & 0xff) << 16 | (b[off + 4 * k + 3] & 0xff) << 24;
                }
                for (long j = 0; j < n; j++) {
                    System.arraycopy(x, 0, v[(int) (j >>> segShift)], (int) (j & (rowsPerSeg - 1)) * rowInts, rowInts);
                    blockMix(x, y, r);
                }
                long mask = n - 1;
                for (long j = 0; j < n; j++) {
                    long idx = (x[(2 * r - 1) * 16] & 0xffffffffL | (long) x[(2 * r - 1) * 16 + 1] << 32) & mask;
                    int[] seg = v[(int) (idx >>> segShift)];
                    int so = (int) (idx & (rowsPerSeg - 1)) * rowInts;
                    for (int k = 0; k < rowInts; k++) {
                        x[k] ^= seg[so + k];
                    }
                    blockMix(x, y, r);
                }
                for (int k = 0; k < rowInts; k++) {
                    b[off + 4 * k] = (byte) x[k];
                    b[off + 4 * k + 1] = (byte) (x[k] >>> 8);
                    b[off + 4 * k + 2] = (byte) (x[k] >>> 16);
                    b[off + 4 * k + 3] = (byte) (x[k] >>> 24);
                }
            }
            byte[] dk = pbkdf2(mac, b, dkLen);
            Arrays.fill(b, (byte) 0);
            return dk;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Per-thread V of at most this many bytes is kept for the next key of the same shape. */
    private static final long CACHE_LIMIT = 256L << 20;
    private static final ThreadLocal<int[][]> CACHE = new ThreadLocal<>();

    /**
     * V for one derivation. Reusing it saves zeroing and faulting in 256 MiB per chunk
     * (the first ROMix loop overwrites all of it); larger ones are not kept, so the
     * reader's KDF memory budget stays true.
     */
    private static int[][] scratch(int segs, int segInts) {
        int[][] v = CACHE.get();
        if (v != null && v.length == segs && v[0].length == segInts) {
            return v;
        }
        v = new int[segs][];
        for (int s = 0; s < segs; s++) {
            v[s] = new int[segInts];
        }
        if ((long) segs * segInts * 4 <= CACHE_LIMIT) {
            CACHE.set(v);
        } else {
            CACHE.remove();
        }
        return v;
    }

    /** PBKDF2-HMAC-SHA256 with one iteration: T_i = HMAC(P, S || INT(i)). */
    private static byte[] pbkdf2(Mac mac, byte[] salt, int len) throws GeneralSecurityException {
        byte[] out = new byte[len];
        for (int i = 1, off = 0; off < len; i++, off += 32) {
            mac.update(salt);
            mac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
            byte[] t = mac.doFinal();
            System.arraycopy(t, 0, out, off, Math.min(32, len - off));
        }
        return out;
    }

    /** BlockMix_{Salsa20/8, r} of x in place, with y as scratch. */
    private static void blockMix(int[] b, int[] y, int r) {
        int last = (2 * r - 1) * 16;
        int x0 = b[last], x1 = b[last + 1], x2 = b[last + 2], x3 = b[last + 3];
        int x4 = b[last + 4], x5 = b[last + 5], x6 = b[last + 6], x7 = b[last + 7];
        int x8 = b[last + 8], x9 = b[last + 9], x10 = b[last + 10], x11 = b[last + 11];
        int x12 = b[last + 12], x13 = b[last + 13], x14 = b[last + 14], x15 = b[last + 15];
        for (int i = 0; i < 2 * r; i++) {
            int o = i * 16;
            int j0 = x0 ^= b[o], j1 = x1 ^= b[o + 1], j2 = x2 ^= b[o + 2], j3 = x3 ^= b[o + 3];
            int j4 = x4 ^= b[o + 4], j5 = x5 ^= b[o + 5], j6 = x6 ^= b[o + 6], j7 = x7 ^= b[o + 7];
            int j8 = x8 ^= b[o + 8], j9 = x9 ^= b[o + 9], j10 = x10 ^= b[o + 10], j11 = x11 ^= b[o + 11];
            int j12 = x12 ^= b[o + 12], j13 = x13 ^= b[o + 13], j14 = x14 ^= b[o + 14], j15 = x15 ^= b[o + 15];
            for (int round = 0; round < 8; round += 2) {
                x4 ^= Integer.rotateLeft(x0 + x12, 7);
                x8 ^= Integer.rotateLeft(x4 + x0, 9);
                x12 ^= Integer.rotateLeft(x8 + x4, 13);
                x0 ^= Integer.rotateLeft(x12 + x8, 18);
                x9 ^= Integer.rotateLeft(x5 + x1, 7);
                x13 ^= Integer.rotateLeft(x9 + x5, 9);
                x1 ^= Integer.rotateLeft(x13 + x9, 13);
                x5 ^= Integer.rotateLeft(x1 + x13, 18);
                x14 ^= Integer.rotateLeft(x10 + x6, 7);
                x2 ^= Integer.rotateLeft(x14 + x10, 9);
                x6 ^= Integer.rotateLeft(x2 + x14, 13);
                x10 ^= Integer.rotateLeft(x6 + x2, 18);
                x3 ^= Integer.rotateLeft(x15 + x11, 7);
                x7 ^= Integer.rotateLeft(x3 + x15, 9);
                x11 ^= Integer.rotateLeft(x7 + x3, 13);
                x15 ^= Integer.rotateLeft(x11 + x7, 18);
                x1 ^= Integer.rotateLeft(x0 + x3, 7);
                x2 ^= Integer.rotateLeft(x1 + x0, 9);
                x3 ^= Integer.rotateLeft(x2 + x1, 13);
                x0 ^= Integer.rotateLeft(x3 + x2, 18);
                x6 ^= Integer.rotateLeft(x5 + x4, 7);
                x7 ^= Integer.rotateLeft(x6 + x5, 9);
                x4 ^= Integer.rotateLeft(x7 + x6, 13);
                x5 ^= Integer.rotateLeft(x4 + x7, 18);
                x11 ^= Integer.rotateLeft(x10 + x9, 7);
                x8 ^= Integer.rotateLeft(x11 + x10, 9);
                x9 ^= Integer.rotateLeft(x8 + x11, 13);
                x10 ^= Integer.rotateLeft(x9 + x8, 18);
                x12 ^= Integer.rotateLeft(x15 + x14, 7);
                x13 ^= Integer.rotateLeft(x12 + x15, 9);
                x14 ^= Integer.rotateLeft(x13 + x12, 13);
                x15 ^= Integer.rotateLeft(x14 + x13, 18);
            }
            x0 += j0; x1 += j1; x2 += j2; x3 += j3; x4 += j4; x5 += j5; x6 += j6; x7 += j7;
            x8 += j8; x9 += j9; x10 += j10; x11 += j11; x12 += j12; x13 += j13; x14 += j14; x15 += j15;
            // Even blocks go to the first half of the output, odd blocks to the second.
            int d = ((i & 1) == 0 ? (i >>> 1) : r + (i >>> 1)) * 16;
            y[d] = x0; y[d + 1] = x1; y[d + 2] = x2; y[d + 3] = x3;
            y[d + 4] = x4; y[d + 5] = x5; y[d + 6] = x6; y[d + 7] = x7;
            y[d + 8] = x8; y[d + 9] = x9; y[d + 10] = x10; y[d + 11] = x11;
            y[d + 12] = x12; y[d + 13] = x13; y[d + 14] = x14; y[d + 15] = x15;
        }
        System.arraycopy(y, 0, b, 0, 32 * r);
    }
}
