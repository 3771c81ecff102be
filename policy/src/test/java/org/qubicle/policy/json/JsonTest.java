package org.qubicle.policy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": \"x\\n\\u00e9\\ud83d\\ude00\\\"\", \"c\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1L, -25.0, true, false, null), m.get("a"));
        assertEquals("x\n\u00e9\ud83d\ude00\"", m.get("b"));
        assertEquals(Map.of(), m.get("c"));
        assertNull(Json.parse("null"));
    }

    @Test
    void writesAsciiLikePython() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "é\"\\\u0001");
        m.put("l", List.of(1L, true));
        m.put("n", null);
        assertEquals("{\"s\": \"\\u00e9\\\"\\\\\\u0001\", \"l\": [1, true], \"n\": null}", Json.write(m));
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "1 2", "{1: 2}", "\"\\x\"", "[" .repeat(300))) {
            assertThrows(JsonException.class, () -> Json.parse(bad), bad);
        }
    }
}
