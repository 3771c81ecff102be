package org.qubicle.api.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PropertyValueTest {
    @Test
    void parsesGet() {
        PropertyValue v = PropertyValue.parseGet("default=False type=int 600");
        assertFalse(v.isDefault());
        assertEquals("int", v.type());
        assertEquals("600", v.value());
        PropertyValue none = PropertyValue.parseGet("default=True type=vm ");
        assertTrue(none.isDefault());
        assertTrue(none.isEmpty());
        assertEquals("a b c", PropertyValue.parseGet("default=True type=str a b c").value());
    }

    @Test
    void rejectsMalformedGet() {
        for (String bad : List.of("", "default=maybe type=int 1", "default=True", "x=1 type=str y")) {
            assertThrows(QubesDaemonCommunicationError.class, () -> PropertyValue.parseGet(bad));
        }
    }

    @Test
    void parsesGetAllWithEscapes() {
        Map<String, PropertyValue> all = PropertyValue.parseAll(
                "kernelopts default=False type=str a\\nb\\\\c\nlabel default=False type=label red\n"
                        + "netvm default=True type=vm \n");
        assertEquals(List.of("kernelopts", "label", "netvm"), List.copyOf(all.keySet()));
        assertEquals("a\nb\\c", all.get("kernelopts").value());
        assertEquals("red", all.get("label").value());
        assertTrue(all.get("netvm").isEmpty());
    }

    @Test
    void parsesQubeListIgnoringUnknownKeys() {
        List<QubeEntry> list = QubeEntry.parseList(
                "dom0 class=AdminVM state=Running uuid=0\nwork class=AppVM state=Halted extra=1\n");
        assertEquals(2, list.size());
        assertEquals(new QubeEntry("work", "AppVM", "Halted", ""), list.get(1));
        assertThrows(QubesDaemonCommunicationError.class, () -> QubeEntry.parseList("x state=Running\n"));
    }
}
