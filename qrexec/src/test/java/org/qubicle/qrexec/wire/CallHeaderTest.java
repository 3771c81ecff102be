package org.qubicle.qrexec.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallHeaderTest {
    private static CallHeader parse(String s) {
        return CallHeader.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void sanitisesAsQrexecDaemon() {
        CallHeader h = parse("work qubes.Filecopy+a+b");
        assertEquals("work", h.target());
        assertEquals("qubes.Filecopy", h.service());
        assertEquals("a+b", h.argument());
        assertTrue(h.hasArgument());
        assertEquals("qubes.Get_Date_x", parse("dom0 qubes.Get Date!x").serviceAndArg());
        assertEquals("@dispvm:dvm", parse("@dispvm:dvm s").target());
        assertEquals("w_rk", parse("w\u00e9rk s").target());
        assertEquals("", parse(" s").target());
        assertEquals("svc", parse("t svc").service());
        assertEquals("", parse("t svc").argument());
    }

    @Test
    void refusesWhatCannotBeMadeValid() {
        for (String bad : new String[] {"nospace", "t ", "t +svc", "t " + "s".repeat(256),
                "t".repeat(64) + " svc", "t s+" + "a".repeat(65000)}) {
            assertThrows(IllegalArgumentException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void headerLineIsCapped() throws IOException {
        byte[] longLine = ("t s" + "a".repeat(CallHeader.MAX_LINE)).getBytes();
        assertThrows(IOException.class, () -> CallHeader.readLine(new ByteArrayInputStream(longLine)));
        assertThrows(IOException.class, () -> CallHeader.readLine(new ByteArrayInputStream("t s\0x\n".getBytes())));
        assertThrows(IOException.class, () -> CallHeader.readLine(new ByteArrayInputStream("t s".getBytes())));
        assertEquals("t s", new String(CallHeader.readLine(new ByteArrayInputStream("t s\nrest".getBytes()))));
    }

    @Test
    void framesRoundTripAndRejectJunk() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Frames.write(b, Frames.STDOUT, new byte[] {1, 2, 3}, 0, 3);
        Frames.writeExit(b, -7);
        byte[] buf = new byte[Frames.MAX];
        var in = new ByteArrayInputStream(b.toByteArray());
        assertEquals(3, Frames.read(in, buf).length());
        assertEquals(-7, Frames.read(in, buf).exitCode());
        assertEquals(null, Frames.read(in, buf));
        assertThrows(IOException.class, () -> Frames.read(new ByteArrayInputStream(new byte[] {9, 0, 0, 0, 0}), buf));
        assertThrows(IOException.class, () -> Frames.read(new ByteArrayInputStream(new byte[] {0, 0, 1, 0, 1}), buf));
        assertThrows(IOException.class, () -> Frames.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 0, 9, 1}), buf));
        assertThrows(IOException.class, () -> Frames.read(new ByteArrayInputStream(new byte[] {3, 0, 0, 0, 2, 0, 0}), buf));
    }
}
