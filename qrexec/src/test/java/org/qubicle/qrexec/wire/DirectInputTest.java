package org.qubicle.qrexec.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirectInputTest {
    /** A channel that hands out its data a few odd-sized bytes at a time, with empty reads between. */
    private static ReadableByteChannel trickle(byte[] data) {
        Random r = new Random(7);
        return new ReadableByteChannel() {
            private int pos;
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (pos == data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(dst.remaining(), data.length - pos), r.nextInt(9000));
                dst.put(data, pos, n);
                pos += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    @Test
    void headersAndBulkDataComeOutInOrderAcrossRefills() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        DirectInput in = new DirectInput(trickle(data), 64 * 1024);
        DataInputStream d = new DataInputStream(in);
        assertEquals(data[0] & 0xff, d.readUnsignedByte());
        byte[] head = new byte[5];
        d.readFully(head);
        assertArrayEquals(Arrays.copyOfRange(data, 1, 6), head);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.copyTo(Channels.newChannel(out), 2_000_000);
        assertArrayEquals(Arrays.copyOfRange(data, 6, 2_000_006), out.toByteArray());
        byte[] rest = d.readAllBytes();
        assertArrayEquals(Arrays.copyOfRange(data, 2_000_006, data.length), rest);
        assertEquals(-1, in.read());
    }

    @Test
    void aCopyPastTheEndIsAnEofNotAShortFile() {
        DirectInput in = new DirectInput(trickle(new byte[1000]), 4096);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(EOFException.class, () -> in.copyTo(Channels.newChannel(out), 1001));
    }
}
