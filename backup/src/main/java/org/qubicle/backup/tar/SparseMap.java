package org.qubicle.backup.tar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The data extents of a file: pairs (offset, length), sorted and disjoint, with the
 * GNU convention that the last extent ends at the file's size (length 0 when the file
 * ends in a hole).
 */
public final class SparseMap {
    /** Holes are found in blocks of this size; ext4 allocates 4 KiB blocks. */
    static final int GRAIN = 4096;

    private long[] pairs = new long[32];
    private int count;
    private final long realSize;

    SparseMap(long realSize) {
        this.realSize = realSize;
    }

    public long realSize() {
        return realSize;
    }

    public int count() {
        return count;
    }

    public long offset(int i) {
        return pairs[2 * i];
    }

    public long length(int i) {
        return pairs[2 * i + 1];
    }

    /** Bytes of data (what the member stores after its map). */
    public long dataBytes() {
        long s = 0;
        for (int i = 0; i < count; i++) {
            s += length(i);
        }
        return s;
    }

    void add(long offset, long length) {
        if (count > 0 && offset(count - 1) + length(count - 1) == offset && length > 0) {
            pairs[2 * count - 1] += length; // merge adjacent data
            return;
        }
        if (2 * count == pairs.length) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[2 * count] = offset;
        pairs[2 * count + 1] = length;
        count++;
    }

    /** Closes the map the GNU way: the last entry reaches the end of the file. */
    void terminate() {
        if (count == 0 || offset(count - 1) + length(count - 1) != realSize) {
            add(realSize, 0);
        }
    }

    /** Finds the data extents of a file by reading it: an all-zero 4 KiB block is a hole. */
    static SparseMap scan(FileChannel ch, long size) throws IOException {
        SparseMap map = new SparseMap(size);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        byte[] zero = new byte[GRAIN];
        byte[] heap = new byte[1 << 20];
        long pos = 0;
        while (pos < size) {
            buf.clear();
            int want = (int) Math.min(buf.capacity(), size - pos);
            buf.limit(want);
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new IOException("file shrank while being backed up");
                }
            }
            buf.flip();
            buf.get(heap, 0, want);
            for (int off = 0; off < want; off += GRAIN) {
                int len = Math.min(GRAIN, want - off);
                if (Arrays.mismatch(heap, off, off + len, zero, 0, len) >= 0) {
                    map.add(pos + off, len);
                }
            }
            pos += want;
        }
        map.terminate();
        return map;
    }
}
