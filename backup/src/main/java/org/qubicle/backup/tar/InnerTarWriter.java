package org.qubicle.backup.tar;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the inner tar of one backed-up file, in the shapes Qubes uses:
 * <ul>
 * <li>a volume image as a PAX member with GNU sparse 1.0 (what {@code qubes.tarwriter}
 *     writes): holes cost nothing;
 * <li>small files (firewall.xml, notes.txt, qubes.xml) as a plain ustar member.
 * </ul>
 * The archive ends with two zero blocks.
 *
 * <pre>
 * [x header "vm3/PaxHeaders/private.img"]  GNU.sparse.major=1 GNU.sparse.minor=0
 *                                          GNU.sparse.name=vm3/private.img GNU.sparse.realsize=N
 * [ustar "vm3/GNUSparseFile.0/private.img", size = map + data]
 * "count\n" ("offset\nlength\n")*  NUL-padded to 512 | extents back to back | pad
 * [512 zeros][512 zeros]
 * </pre>
 */
public final class InnerTarWriter {
    private final OutputStream out;
    private final long mtime;

    public InnerTarWriter(OutputStream out, long mtimeSeconds) {
        this.out = out;
        this.mtime = mtimeSeconds;
    }

    /** Writes {@code bytes} as the regular member {@code name}. */
    public void writeBytes(String name, byte[] bytes) throws IOException {
        byte[] h = new byte[TarHeader.BLOCK];
        TarHeader.writeUstar(h, 0, name, bytes.length, mtime, '0');
        out.write(h);
        out.write(bytes);
        out.write(new byte[(int) TarHeader.padding(bytes.length)]);
    }

    /** Writes the image at {@code file} as a sparse member named {@code name}. */
    public void writeSparseFile(String name, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            SparseMap map = SparseMap.scan(ch, size);
            StringBuilder text = new StringBuilder();
            text.append(map.count()).append('\n');
            for (int i = 0; i < map.count(); i++) {
                text.append(map.offset(i)).append('\n').append(map.length(i)).append('\n');
            }
            byte[] mapBytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            long mapBlock = mapBytes.length + TarHeader.padding(mapBytes.length);
            long stored = mapBlock + map.dataBytes();

            int slash = name.lastIndexOf('/');
            String dir = slash < 0 ? "" : name.substring(0, slash + 1);
            String base = name.substring(slash + 1);
            Map<String, String> pax = new LinkedHashMap<>();
            pax.put("GNU.sparse.major", "1");
            pax.put("GNU.sparse.minor", "0");
            pax.put("GNU.sparse.name", name);
            pax.put("GNU.sparse.realsize", Long.toString(size));
            if (stored >= (1L << 33)) {
                pax.put("size", Long.toString(stored));
            }
            byte[] paxBytes = PaxHeaders.format(pax);
            byte[] h = new byte[TarHeader.BLOCK];
            TarHeader.writeUstar(h, 0, dir + "PaxHeaders/" + base, paxBytes.length, mtime, 'x');
            out.write(h);
            out.write(paxBytes);
            out.write(new byte[(int) TarHeader.padding(paxBytes.length)]);
            TarHeader.writeUstar(h, 0, dir + "GNUSparseFile.0/" + base,
                    stored >= (1L << 33) ? 0 : stored, mtime, '0'); // pax size wins
            out.write(h);
            out.write(mapBytes);
            out.write(new byte[(int) TarHeader.padding(mapBytes.length)]);

            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (int i = 0; i < map.count(); i++) {
                long pos = map.offset(i);
                long end = pos + map.length(i);
                while (pos < end) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), end - pos));
                    int n = ch.read(buf, pos);
                    if (n <= 0) {
                        throw new IOException(file + " shrank while being backed up");
                    }
                    out.write(buf.array(), 0, n);
                    pos += n;
                }
            }
            out.write(new byte[(int) TarHeader.padding(map.dataBytes())]);
        }
    }

    /** Ends the archive with two zero blocks. */
    public void finish() throws IOException {
        out.write(new byte[2 * TarHeader.BLOCK]);
        out.flush();
    }
}
