package org.qubicle.backup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.qubicle.backup.BackupCorruptedError;

/**
 * Decompresses a gzip file of one or more members, checking each member's CRC-32 and
 * length. Unlike {@code GZIPInputStream} it never guesses the end from
 * {@code available()}: after a member, either the input ends or another member starts;
 * anything else, and a stream cut short, is an error.
 *
 * <p>A member that lies whole in the input window (as our writer's 256 KiB members do) is
 * decompressed in one call by {@link LibdeflateInflater} where libdeflate is available;
 * any other member, and any member libdeflate refuses, goes through zlib here, which
 * checks it and reports errors.
 */
final class GzipMembersInputStream extends InputStream {
    private final InputStream in;
    private final byte[] inBuf = new byte[LibdeflateInflater.MAX_IN + (64 << 10)];
    private int inPos;
    private int inLen;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private boolean inMember;
    private boolean eof;
    private final LibdeflateInflater fast;
    private final byte[] outBuf;
    private int outPos;
    private int outLen;
    /** Members the fast path took (tests check that it is used). */
    int fastMembers;

    GzipMembersInputStream(InputStream in) {
        this.in = in;
        this.fast = LibdeflateInflater.create().orElse(null);
        this.outBuf = fast == null ? null : new byte[LibdeflateInflater.MAX_OUT];
    }

    /**
     * At a member boundary: decompresses the next member in one call if it lies whole in the
     * window. False (nothing consumed) when there is no more input or zlib must take it.
     */
    private boolean fastMember() throws IOException {
        if (fast == null) {
            return false;
        }
        // Move the unread rest to the front only when a full window no longer fits behind it
        // (a member takes about a third of the window: most calls copy nothing).
        if (inPos > 0 && inBuf.length - inPos < LibdeflateInflater.MAX_IN) {
            System.arraycopy(inBuf, inPos, inBuf, 0, inLen - inPos);
            inLen -= inPos;
            inPos = 0;
        }
        while (inLen - inPos < LibdeflateInflater.MAX_IN) {
            int n = in.read(inBuf, inLen, inBuf.length - inLen);
            if (n < 0) {
                break;
            }
            inLen += n;
        }
        if (inLen == inPos) {
            return false;
        }
        var m = fast.member(inBuf, inPos, inLen - inPos, outBuf);
        if (m.isEmpty()) {
            return false;
        }
        inPos += m.get().consumed();
        outPos = 0;
        outLen = m.get().produced();
        fastMembers++;
        return true;
    }

    private int nextByte() throws IOException {
        if (inPos == inLen) {
            inLen = in.read(inBuf);
            inPos = 0;
            if (inLen <= 0) {
                inLen = 0;
                return -1;
            }
        }
        return inBuf[inPos++] & 0xff;
    }

    private int needByte() throws IOException {
        int c = nextByte();
        if (c < 0) {
            throw new BackupCorruptedError("gzip: unexpected end of file");
        }
        return c;
    }

    /** Reads a member header; returns false at a clean end of input. */
    private boolean startMember() throws IOException {
        int id1 = nextByte();
        if (id1 < 0) {
            return false;
        }
        if (id1 != 0x1f || needByte() != 0x8b || needByte() != 8) {
            throw new BackupCorruptedError("gzip: not in gzip format (or trailing garbage)");
        }
        int flags = needByte();
        for (int i = 0; i < 6; i++) {
            needByte(); // mtime, xfl, os
        }
        if ((flags & 4) != 0) {
            int xlen = needByte() | (needByte() << 8);
            for (int i = 0; i < xlen; i++) {
                needByte();
            }
        }
        for (int bit : new int[] {8, 16}) {
            if ((flags & bit) != 0) {
                while (needByte() != 0) {
                    // file name or comment, NUL-terminated
                }
            }
        }
        if ((flags & 2) != 0) {
            needByte();
            needByte();
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
        return true;
    }

    private void endMember() throws IOException {
        // Unused input goes back in front of the trailer.
        inPos = inLen - inflater.getRemaining();
        long storedCrc = 0;
        long storedLen = 0;
        for (int i = 0; i < 4; i++) {
            storedCrc |= (long) needByte() << (8 * i);
        }
        for (int i = 0; i < 4; i++) {
            storedLen |= (long) needByte() << (8 * i);
        }
        if (storedCrc != crc.getValue() || storedLen != (memberBytes & 0xffffffffL)) {
            throw new BackupCorruptedError("gzip: invalid compressed data (crc or length error)");
        }
        inMember = false;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            if (outPos < outLen) {
                int n = Math.min(len, outLen - outPos);
                System.arraycopy(outBuf, outPos, b, off, n);
                outPos += n;
                return n;
            }
            if (!inMember && fastMember()) {
                continue;
            }
            if (!inMember && !startMember()) {
                eof = true;
                break;
            }
            try {
                if (inflater.needsInput()) {
                    if (inPos == inLen) {
                        inLen = in.read(inBuf);
                        inPos = 0;
                        if (inLen <= 0) {
                            inLen = 0;
                            throw new BackupCorruptedError("gzip: unexpected end of file");
                        }
                    }
                    inflater.setInput(inBuf, inPos, inLen - inPos);
                    inPos = inLen;
                }
                int n = inflater.inflate(b, off, len);
                if (n > 0) {
                    crc.update(b, off, n);
                    memberBytes += n;
                }
                if (inflater.finished()) {
                    endMember();
                }
                if (n > 0) {
                    return n;
                }
                if (inflater.needsDictionary()) {
                    throw new BackupCorruptedError("gzip: invalid compressed data (preset dictionary)");
                }
            } catch (DataFormatException e) {
                throw new BackupCorruptedError("gzip: invalid compressed data (" + e.getMessage() + ")");
            }
        }
        return -1;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
