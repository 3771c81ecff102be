package org.qubicle.backup.tar;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the outer backup stream: every file is its own POSIX (ustar) tar archive, as
 * {@code tar -cO --posix} gives it in Qubes' {@code SendWorker}: a header, the data
 * padded to 512 bytes, two zero blocks, and zero padding up to a 10240-byte record.
 * No directory entries. Names must fit the ustar name/prefix fields, because
 * {@code tar2qfile} reads only those.
 */
public final class OuterTarWriter {
    private static final int RECORD = 10240;
    private static final byte[] ZEROS = new byte[RECORD];

    private final OutputStream out;
    private final long mtime;

    public OuterTarWriter(OutputStream out, long mtimeSeconds) {
        this.out = out;
        this.mtime = mtimeSeconds;
    }

    /** Appends {@code data[off .. off+len)} as one archive holding the file {@code name}. */
    public void writeMember(String name, byte[] data, int off, int len) throws IOException {
        byte[] header = new byte[TarHeader.BLOCK];
        TarHeader.writeUstar(header, 0, name, len, mtime, '0');
        out.write(header);
        out.write(data, off, len);
        long total = TarHeader.BLOCK + len + TarHeader.padding(len) + 2L * TarHeader.BLOCK;
        out.write(ZEROS, 0, (int) TarHeader.padding(len) + 2 * TarHeader.BLOCK);
        long recordPad = (RECORD - total % RECORD) % RECORD;
        out.write(ZEROS, 0, (int) recordPad);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
