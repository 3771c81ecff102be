package org.qubicle.backup.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.qubicle.backup.BackupCorruptedError;

/**
 * Reads an inner tar: ustar, GNU and PAX members, with sparse files in both shapes
 * Qubes writes (PAX GNU sparse 1.0, and old GNU {@code 'S'} headers with extension
 * blocks), GNU long names and base-256 sizes. Hard links, devices, FIFOs and unknown
 * types are refused. The archive must end with a zero block; a stream cut short is an
 * error, which is how a dropped last chunk is detected.
 */
public final class InnerTarReader {
    /** At most this many sparse extents per member (16 bytes each in memory). */
    static final int MAX_EXTENTS = 1 << 22;

    private final BlockInput in;
    private final String where;
    private final byte[] block = new byte[TarHeader.BLOCK];
    private long remaining;   // stored bytes of the current member not yet consumed
    private SparseMap map;    // current member's map, or null for a plain member
    private boolean ended;

    public InnerTarReader(InputStream in, String where) {
        this.in = new BlockInput(in, where);
        this.where = where;
    }

    /** The next member, or null after the end-of-archive marker. */
    public InnerEntry next() throws IOException {
        if (ended) {
            return null;
        }
        in.skip(remaining + TarHeader.padding(storedSize));
        remaining = 0;
        storedSize = 0;
        map = null;
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        while (true) {
            if (!in.readBlockOrEof(block, 0, TarHeader.BLOCK)) {
                throw new BackupCorruptedError(where + ": unexpected end of archive (no end marker)");
            }
            if (TarHeader.isZero(block, 0)) {
                ended = true;
                return null;
            }
            TarHeader.verifyChecksum(block, 0, where);
            char type = (char) block[156];
            long size = TarHeader.number(block, 124, 12, where);
            switch (type) {
                case 'x', 'g', 'L', 'K' -> {
                    if (size > PaxHeaders.MAX_SIZE) {
                        throw new BackupCorruptedError(where + ": extended header too large (" + size + " bytes)");
                    }
                    byte[] data = new byte[(int) size];
                    in.readFully(data, 0, data.length);
                    in.skip(TarHeader.padding(size));
                    if (type == 'x') {
                        pax.putAll(PaxHeaders.parse(data, data.length, where));
                    } else if (type == 'L') {
                        longName = TarHeader.string(data, 0, data.length);
                    } else if (type == 'K') {
                        longLink = TarHeader.string(data, 0, data.length);
                    }
                    continue;
                }
                default -> { }
            }
            String name = longName != null ? longName : TarHeader.name(block, 0);
            if (pax.containsKey("path")) {
                name = pax.get("path");
            }
            if (pax.containsKey("size")) {
                size = PaxHeaders.number(pax, "size", where);
            }
            String link = longLink != null ? longLink : TarHeader.string(block, 157, 100);
            if (pax.containsKey("linkpath")) {
                link = pax.get("linkpath");
            }
            storedSize = size;
            remaining = size;
            return switch (type) {
                case '0', '\0', '7' -> regular(name, size, pax);
                case 'S' -> oldGnuSparse(name, size);
                case '5' -> {
                    remaining = 0;
                    storedSize = 0;
                    yield new InnerEntry(name, InnerEntry.Kind.DIRECTORY, 0, null);
                }
                case '2' -> {
                    remaining = 0;
                    storedSize = 0;
                    yield new InnerEntry(name, InnerEntry.Kind.SYMLINK, 0, link);
                }
                case '1' -> throw new BackupCorruptedError(where + ": hard link " + name + " refused");
                case '3', '4', '6' -> throw new BackupCorruptedError(where + ": device or FIFO " + name + " refused");
                default -> throw new BackupCorruptedError(where + ": unsupported member type '" + type + "' for " + name);
            };
        }
    }

    private long storedSize;

    private InnerEntry regular(String name, long size, Map<String, String> pax) throws IOException {
        if (!pax.containsKey("GNU.sparse.major") && !pax.containsKey("GNU.sparse.realsize")
                && !pax.containsKey("GNU.sparse.size") && !pax.containsKey("GNU.sparse.map")) {
            return new InnerEntry(name, InnerEntry.Kind.FILE, size, null);
        }
        if (!"1".equals(pax.get("GNU.sparse.major")) || !"0".equals(pax.get("GNU.sparse.minor"))) {
            throw new BackupCorruptedError(where + ": unsupported GNU sparse format for " + name
                    + " (only 1.0 in pax, and old GNU)");
        }
        String realName = pax.getOrDefault("GNU.sparse.name", name);
        long realSize = PaxHeaders.number(pax, pax.containsKey("GNU.sparse.realsize")
                ? "GNU.sparse.realsize" : "GNU.sparse.size", where);
        SparseMap m = new SparseMap(realSize);
        // The map is text at the start of the data: count, then offset/length pairs.
        long[] consumed = {0};
        byte[] mapBuf = new byte[TarHeader.BLOCK];
        int[] pos = {TarHeader.BLOCK};
        java.util.function.LongSupplier number = () -> {
            long v = 0;
            int digits = 0;
            while (true) {
                if (pos[0] == TarHeader.BLOCK) {
                    try {
                        if (consumed[0] + TarHeader.BLOCK > size) {
                            throw new BackupCorruptedError(where + ": sparse map of " + realName + " overruns its member");
                        }
                        in.readFully(mapBuf, 0, TarHeader.BLOCK);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    consumed[0] += TarHeader.BLOCK;
                    pos[0] = 0;
                }
                byte c = mapBuf[pos[0]++];
                if (c == '\n' && digits > 0) {
                    return v;
                }
                if (c < '0' || c > '9' || digits >= 19) {
                    throw new BackupCorruptedError(where + ": malformed sparse map of " + realName);
                }
                v = v * 10 + (c - '0');
                digits++;
            }
        };
        try {
            long n = number.getAsLong();
            if (n > MAX_EXTENTS) {
                throw new BackupCorruptedError(where + ": sparse map of " + realName + " too large (" + n + " extents)");
            }
            for (long i = 0; i < n; i++) {
                long off = number.getAsLong();
                long len = number.getAsLong();
                addChecked(m, off, len, realName);
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        remaining = size - consumed[0];
        return sparse(realName, m);
    }

    private InnerEntry oldGnuSparse(String name, long size) throws IOException {
        long realSize = TarHeader.number(block, 483, 12, where);
        SparseMap m = new SparseMap(realSize);
        readOldEntries(block, 386, 4, m, name);
        boolean extended = block[482] != 0;
        byte[] ext = new byte[TarHeader.BLOCK];
        while (extended) {
            in.readFully(ext, 0, TarHeader.BLOCK);
            readOldEntries(ext, 0, 21, m, name);
            extended = ext[504] != 0;
        }
        return sparse(name, m);
    }

    private void readOldEntries(byte[] b, int off, int n, SparseMap m, String name) {
        for (int i = 0; i < n; i++) {
            int e = off + 24 * i;
            if (b[e] == 0) {
                return;
            }
            addChecked(m, TarHeader.number(b, e, 12, where), TarHeader.number(b, e + 12, 12, where), name);
        }
    }

    private void addChecked(SparseMap m, long off, long len, String name) {
        long prevEnd = m.count() == 0 ? 0 : m.offset(m.count() - 1) + m.length(m.count() - 1);
        if (off < prevEnd || len < 0 || off + len > m.realSize() || off + len < 0 || m.count() >= MAX_EXTENTS) {
            throw new BackupCorruptedError(where + ": invalid sparse map of " + name);
        }
        m.add(off, len);
    }

    private InnerEntry sparse(String name, SparseMap m) {
        if (m.dataBytes() != remaining) {
            throw new BackupCorruptedError(where + ": sparse map of " + name + " does not match its stored size");
        }
        map = m;
        return new InnerEntry(name, InnerEntry.Kind.FILE, m.realSize(), null);
    }

    /** Copies the current member's data to {@code sink}, at logical offsets. */
    public void copyData(DataSink sink) throws IOException {
        byte[] buf = new byte[1 << 16];
        if (map == null) {
            long off = 0;
            while (remaining > 0) {
                int n = (int) Math.min(buf.length, remaining);
                in.readFully(buf, 0, n);
                sink.write(off, buf, 0, n);
                off += n;
                remaining -= n;
            }
            return;
        }
        for (int i = 0; i < map.count(); i++) {
            long off = map.offset(i);
            long left = map.length(i);
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                in.readFully(buf, 0, n);
                sink.write(off, buf, 0, n);
                off += n;
                left -= n;
                remaining -= n;
            }
        }
    }

    /** After the end marker: everything left must be zero padding. */
    public void expectOnlyPadding() throws IOException {
        InputStream s = in.stream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = s.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != 0) {
                    throw new BackupCorruptedError(where + ": data after the end of the archive");
                }
            }
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
