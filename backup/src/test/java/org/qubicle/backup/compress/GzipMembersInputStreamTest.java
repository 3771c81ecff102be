package org.qubicle.backup.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.qubicle.backup.BackupCorruptedError;

/** gzip files of many members: libdeflate's fast path, zlib for the rest, and corrupt input. */
class GzipMembersInputStreamTest {
    private static final boolean NATIVE = LibdeflateInflater.create().isPresent();

    /** Text-like data and random data, so members are both compressible and not. */
    private static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 100_000) % 2 == 0 ? (byte) ('a' + r.nextInt(6)) : (byte) r.nextInt();
        }
        return b;
    }

    /** Our writer's layout: one member per 256 KiB of input. */
    private static byte[] members(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < plain.length; at += 256 << 10) {
            int off = at;
            int n = Math.min(256 << 10, plain.length - off);
            out.write(Libdeflate.get().map(l -> l.compress(plain, off, n, 1)).orElseGet(() -> zlib(plain, off, n)));
        }
        return out.toByteArray();
    }

    private static byte[] zlib(byte[] b, int off, int len) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(out)) {
                g.write(b, off, len);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads in odd-sized pieces, as a tar reader does. */
    private static byte[] readAll(GzipMembersInputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[7777];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** An input that hands out at most 1000 bytes per read, as a pipe may. */
    private static InputStream trickle(byte[] b) {
        return new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] dst, int off, int len) {
                return super.read(dst, off, Math.min(len, 1000));
            }
        };
    }

    @Test
    void manySmallMembersAndOneLargeMemberRoundTrip() throws IOException {
        byte[] plain = data(3_000_000, 1);
        byte[] large = data(2_500_000, 2);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(members(plain));
        gz.write(zlib(large, 0, large.length)); // one member past the fast path's window
        gz.write(members(new byte[0]));
        GzipMembersInputStream in = new GzipMembersInputStream(trickle(gz.toByteArray()));
        byte[] back = readAll(in);
        byte[] want = new byte[plain.length + large.length];
        System.arraycopy(plain, 0, want, 0, plain.length);
        System.arraycopy(large, 0, want, plain.length, large.length);
        assertArrayEquals(want, back);
        if (NATIVE) {
            assertTrue(in.fastMembers >= 12, "libdeflate took the small members: " + in.fastMembers);
        }
    }

    @Test
    void corruptTruncatedAndTrailingGarbageAreRefused() throws IOException {
        byte[] gz = members(data(1_000_000, 3));
        for (int at : new int[] {20, gz.length / 2, gz.length - 6}) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x40;
            assertThrows(BackupCorruptedError.class, () -> readAll(new GzipMembersInputStream(new ByteArrayInputStream(bad))),
                    "flipped byte at " + at);
        }
        byte[] cut = Arrays.copyOf(gz, gz.length - 3);
        assertThrows(BackupCorruptedError.class, () -> readAll(new GzipMembersInputStream(new ByteArrayInputStream(cut))));
        byte[] trailing = Arrays.copyOf(gz, gz.length + 5);
        assertThrows(BackupCorruptedError.class,
                () -> readAll(new GzipMembersInputStream(new ByteArrayInputStream(trailing))));
    }
}
