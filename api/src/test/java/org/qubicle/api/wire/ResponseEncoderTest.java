package org.qubicle.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseEncoderTest {
    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void success() {
        assertEquals("0\0", text(ResponseEncoder.ok("")));
        assertEquals("0\0dom0 class=AdminVM\n", text(ResponseEncoder.ok("dom0 class=AdminVM\n")));
    }

    @Test
    void exceptionFrameHasFourNulsAndEscapesPercent() {
        assertEquals("2\0QubesValueError\0\0" + "100%% done\0", text(ResponseEncoder.exception("QubesValueError", "100% done")));
        assertEquals("2\0ProtocolError\0\0" + "100% done\0", text(ResponseEncoder.exception("ProtocolError", "100% done")));
        assertEquals("2\0PermissionDenied\0\0%\0", text(ResponseEncoder.exception("PermissionDenied", "%")));
        assertEquals("2\0KeyError\0\0%\0", text(ResponseEncoder.exception("KeyError", "%")));
        assertThrows(IllegalArgumentException.class, () -> ResponseEncoder.exception("a\0b", "x"));
    }

    @Test
    void eventFrame() {
        Map<String, String> kw = new LinkedHashMap<>();
        kw.put("name", "memory");
        kw.put("newvalue", "600");
        assertEquals("1\0work\0property-set:memory\0name\0memory\0newvalue\0" + "600\0\0",
                text(ResponseEncoder.event("work", "property-set:memory", kw)));
        assertEquals("1\0\0connection-established\0\0", text(ResponseEncoder.event("", "connection-established", Map.of())));
        assertEquals("1\0a_b\0e\0\0", text(ResponseEncoder.event("a\0b", "e", Map.of())));
    }
}
