package org.qubicle.backup.tar;

import java.nio.charset.StandardCharsets;
import org.qubicle.backup.BackupCorruptedError;

/**
 * One 512-byte tar header block: ustar, old GNU and the fields we read or write.
 *
 * <pre>
 *   0 name[100]  100 mode[8]  108 uid[8]  116 gid[8]  124 size[12]  136 mtime[12]
 * 148 chksum[8]  156 typeflag  157 linkname[100]  257 magic[6]  263 version[2]
 * 265 uname[32]  297 gname[32]  329 devmajor[8]  337 devminor[8]  345 prefix[155]
 * old GNU (magic "ustar  "): 386 sparse[4]{offset[12],numbytes[12]}  482 isextended
 *                            483 realsize[12]
 * </pre>
 */
final class TarHeader {
    static final int BLOCK = 512;

    private TarHeader() {}

    static boolean isZero(byte[] b, int off) {
        for (int i = off; i < off + BLOCK; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Fills a ustar header; {@code name} must fit name/prefix (checked). */
    static void writeUstar(byte[] b, int off, String name, long size, long mtime, char type) {
        java.util.Arrays.fill(b, off, off + BLOCK, (byte) 0);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length <= 100) {
            System.arraycopy(n, 0, b, off, n.length);
        } else {
            // Split at a '/' so that prefix <= 155 and name <= 100 (tar2qfile reads only ustar).
            int cut = -1;
            for (int i = n.length - 1; i > 0; i--) {
                if (n[i] == '/' && i <= 155 && n.length - i - 1 <= 100 && n.length - i - 1 > 0) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) {
                throw new IllegalArgumentException("name does not fit a ustar header: " + name);
            }
            System.arraycopy(n, cut + 1, b, off, n.length - cut - 1);
            System.arraycopy(n, 0, b, off + 345, cut);
        }
        octal(b, off + 100, 8, 0644);
        octal(b, off + 108, 8, 0);
        octal(b, off + 116, 8, 0);
        if (size < 0 || size >= (1L << 33)) {
            throw new IllegalArgumentException("size does not fit a ustar header: " + size);
        }
        octal(b, off + 124, 12, size);
        octal(b, off + 136, 12, mtime);
        b[off + 156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, b, off + 257, 6);
        b[off + 263] = '0';
        b[off + 264] = '0';
        byte[] root = "root".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(root, 0, b, off + 265, 4);
        System.arraycopy(root, 0, b, off + 297, 4);
        // Checksum: computed with the field as spaces, written as 6 octal digits, NUL, space.
        java.util.Arrays.fill(b, off + 148, off + 156, (byte) ' ');
        long sum = 0;
        for (int i = off; i < off + BLOCK; i++) {
            sum += b[i] & 0xff;
        }
        octal(b, off + 148, 7, sum);
        b[off + 155] = ' ';
    }

    private static void octal(byte[] b, int off, int len, long v) {
        String s = Long.toOctalString(v);
        int digits = len - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException("value does not fit: " + v);
        }
        for (int i = 0; i < digits - s.length(); i++) {
            b[off + i] = '0';
        }
        for (int i = 0; i < s.length(); i++) {
            b[off + digits - s.length() + i] = (byte) s.charAt(i);
        }
        b[off + digits] = 0;
    }

    /** Checks the header checksum (unsigned sum; signed too, as old tars wrote it). */
    static void verifyChecksum(byte[] b, int off, String where) {
        long stored = number(b, off + 148, 8, where);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : b[off + i];
            unsigned += v & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : b[off + i];
        }
        if (stored != unsigned && stored != signed) {
            throw new BackupCorruptedError(where + ": tar header checksum mismatch");
        }
    }

    /** A numeric field: octal (spaces/NULs around) or GNU base-256. */
    static long number(byte[] b, int off, int len, String where) {
        if ((b[off] & 0x80) != 0) {
            if ((b[off] & 0xff) != 0x80) {
                throw new BackupCorruptedError(where + ": negative or oversized number in tar header");
            }
            long v = 0;
            for (int i = 1; i < len; i++) {
                if (v >>> 55 != 0) {
                    throw new BackupCorruptedError(where + ": number too large in tar header");
                }
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < end && b[i] >= '0' && b[i] <= '7') {
            if (v >>> 60 != 0) {
                throw new BackupCorruptedError(where + ": number too large in tar header");
            }
            v = (v << 3) | (b[i] - '0');
            i++;
            digits++;
        }
        while (i < end) {
            if (b[i] != ' ' && b[i] != 0) {
                throw new BackupCorruptedError(where + ": invalid number in tar header");
            }
            i++;
        }
        return digits == 0 ? 0 : v;
    }

    static String string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    static boolean isOldGnu(byte[] b, int off) {
        return b[off + 257] == 'u' && b[off + 262] == ' ' && b[off + 263] == ' ';
    }

    /** The full name: ustar prefix + "/" + name, except in old GNU headers. */
    static String name(byte[] b, int off) {
        String name = string(b, off, 100);
        if (!isOldGnu(b, off) && b[off + 345] != 0) {
            return string(b, off + 345, 155) + "/" + name;
        }
        return name;
    }

    static long padding(long size) {
        long r = size % BLOCK;
        return r == 0 ? 0 : BLOCK - r;
    }
}
