package org.qubicle.backup.tar;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.qubicle.backup.BackupCorruptedError;

/**
 * Reads the outer backup stream member by member, like {@code tar -i}: end-of-archive
 * zero blocks are skipped, pax {@code x}/{@code g} headers are read, and anything but a
 * regular file is refused. A member's data must be read (or skipped) before the next
 * {@link #next()}.
 */
public final class OuterTarReader {
    private final BlockInput in;
    private final byte[] block = new byte[TarHeader.BLOCK];
    private long pendingData;
    private long pendingPad;

    /** A member header: its name and size. */
    public record Member(String name, long size) {}

    public OuterTarReader(InputStream in) {
        this.in = new BlockInput(in, "backup archive");
    }

    /** The next regular file, or null at the end of the stream. */
    public Member next() throws IOException {
        in.skip(pendingData + pendingPad);
        pendingData = 0;
        pendingPad = 0;
        Map<String, String> pax = Map.of();
        while (true) {
            if (!in.readBlockOrEof(block, 0, TarHeader.BLOCK)) {
                if (!pax.isEmpty()) {
                    throw new BackupCorruptedError("backup archive: unexpected end of archive after pax header");
                }
                return null;
            }
            if (TarHeader.isZero(block, 0)) {
                continue; // end-of-archive marker of one of the concatenated archives
            }
            TarHeader.verifyChecksum(block, 0, "backup archive");
            char type = (char) block[156];
            long size = TarHeader.number(block, 124, 12, "backup archive");
            String name = TarHeader.name(block, 0);
            switch (type) {
                case 'x', 'g' -> {
                    if (size > PaxHeaders.MAX_SIZE) {
                        throw new BackupCorruptedError("backup archive: pax header too large (" + size + " bytes)");
                    }
                    byte[] data = new byte[(int) size];
                    in.readFully(data, 0, data.length);
                    in.skip(TarHeader.padding(size));
                    if (type == 'x') {
                        pax = PaxHeaders.parse(data, data.length, "backup archive");
                    }
                }
                case '0', '\0' -> {
                    if (pax.containsKey("size")) {
                        size = PaxHeaders.number(pax, "size", "backup archive");
                    }
                    String paxPath = pax.get("path");
                    if (paxPath != null && !paxPath.equals(name)) {
                        // tar2qfile reads only the ustar name; two names would be read two ways.
                        throw new BackupCorruptedError("backup archive: member name " + name
                                + " differs from its pax path " + paxPath);
                    }
                    pendingData = size;
                    pendingPad = TarHeader.padding(size);
                    return new Member(name, size);
                }
                default -> throw new BackupCorruptedError("backup archive: member " + name
                        + " is not a regular file (type '" + type + "')");
            }
        }
    }

    /** Reads the current member's data into {@code buf}; its size must fit. */
    public void readData(byte[] buf, int off) throws IOException {
        int n = (int) pendingData;
        in.readFully(buf, off, n);
        pendingData = 0;
    }

    /** Skips the current member's data. */
    public void skipData() throws IOException {
        in.skip(pendingData);
        pendingData = 0;
    }
}
