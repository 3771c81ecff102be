package org.qubicle.api.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodesHeaderArgumentAndPayload() throws Exception {
        Request r = RequestDecoder.decode(bytes("admin.vm.property.Set+memory dom0 name work\0" + "600"));
        assertEquals("admin.vm.property.Set", r.method());
        assertEquals("memory", r.arg());
        assertEquals("dom0", r.source());
        assertEquals("work", r.dest());
        assertArrayEquals(bytes("600"), r.untrustedPayload());
    }

    @Test
    void emptyArgumentWithAndWithoutPlus() throws Exception {
        assertEquals("", RequestDecoder.decode(bytes("admin.vm.List+ dom0 name dom0\0")).arg());
        Request noPlus = RequestDecoder.decode(bytes("admin.vm.List dom0 name dom0\0"));
        assertEquals("admin.vm.List", noPlus.method());
        assertEquals("", noPlus.arg());
    }

    @Test
    void argumentSplitsAtFirstPlusOnly() throws Exception {
        Request r = RequestDecoder.decode(bytes("admin.vm.device.block.Attach+sys-usb+sda:x dom0 name work\0"));
        assertEquals("admin.vm.device.block.Attach", r.method());
        assertEquals("sys-usb+sda:x", r.arg());
    }

    @Test
    void keywordAdminVmMeansDom0() throws Exception {
        assertEquals("dom0", RequestDecoder.decode(bytes("admin.vm.List+ work keyword adminvm\0")).dest());
        assertThrows(FramingException.Corrupt.class,
                () -> RequestDecoder.decode(bytes("admin.vm.List+ work keyword dispvm\0")));
    }

    @Test
    void payloadMayHoldNuls() throws Exception {
        Request r = RequestDecoder.decode(bytes("a+b dom0 name dom0\0x\0y\0"));
        assertArrayEquals(bytes("x\0y\0"), r.untrustedPayload());
    }

    @Test
    void lastFieldTakesTheRest() throws Exception {
        assertEquals("a b", RequestDecoder.decode(bytes("m dom0 name a b\0")).dest());
    }

    @Test
    void corruptHeaders() {
        for (String bad : new String[] {
                "admin.vm.List+ dom0 name dom0", // no NUL
                "\0", "admin.vm.List dom0 name\0", "admin.vm.List dom0\0",
                "admin.vm.List+ dom0 uuid dom0\0", "admin.vm.List+ dom0  dom0\0",
                "admin.vm.List+\u00e9 dom0 name dom0\0", "admin.vm.List+\t dom0 name dom0\0",
                " dom0 name dom0\0", "admin.vm.List+  name dom0\0", "admin.vm.List+ dom0 name \0"}) {
            assertThrows(FramingException.Corrupt.class, () -> RequestDecoder.decode(bytes(bad)), bad);
        }
    }

    @Test
    void capIsExactly64KiB() throws Exception {
        String header = "admin.vm.notes.Set+ dom0 name work\0";
        byte[] max = new byte[RequestDecoder.MAX_REQUEST_BYTES];
        System.arraycopy(bytes(header), 0, max, 0, header.length());
        assertEquals(RequestDecoder.MAX_REQUEST_BYTES - header.length(),
                RequestDecoder.read(new ByteArrayInputStream(max)).payloadLength());
        byte[] over = new byte[RequestDecoder.MAX_REQUEST_BYTES + 1];
        System.arraycopy(bytes(header), 0, over, 0, header.length());
        assertThrows(FramingException.TooLong.class, () -> RequestDecoder.read(new ByteArrayInputStream(over)));
        assertThrows(FramingException.TooLong.class, () -> RequestDecoder.decode(over));
    }
}
