package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.model.exc.QubesException;

class LsPropsTest {
    private static final String ANSWER = "default_netvm default=True type=vm sys-firewall\n"
            + "kernelopts default=False type=str a\\nb\\\\c\n"
            + "label default=False type=label red\n"
            + "netvm default=True type=vm \n"
            + "qid default=False type=int 7\n"
            + "template default=False type=vm fedora";

    @Test
    void looksUpWhatParseAllWouldGive() {
        LsProps props = new LsProps(ANSWER);
        Map<String, PropertyValue> all = PropertyValue.parseAll(ANSWER);
        for (String name : all.keySet()) {
            assertEquals(all.get(name), props.get(name), name);
        }
        assertEquals("a\nb\\c", props.get("kernelopts").value());
        assertEquals("", props.get("netvm").value());
        assertEquals("fedora", props.get("template").value(), "last line, no newline");
        assertFalse(props.isEmpty());
    }

    @Test
    void absentNamesAndSuffixesOfOtherNames() {
        LsProps props = new LsProps(ANSWER);
        assertNull(props.get("vcpus"));
        assertNull(props.get("vm"), "not the end of default_netvm's line");
        assertNull(props.get("type=vm"));
        assertNull(props.get(""));
        assertNull(props.get("label default=False"));
        assertTrue(LsProps.NONE.isEmpty());
        assertNull(LsProps.NONE.get("label"));
    }

    @Test
    void lastLineOfANameCountsAsInParseAll() {
        String twice = "label default=False type=label red\nlabel default=False type=label blue\n";
        assertEquals(PropertyValue.parseAll(twice).get("label"), new LsProps(twice).get("label"));
        assertEquals("red", new LsProps("label default=False type=label red\nlabels x").get("label").value());
    }

    @Test
    void malformedLinesFailWhenLookedUp() {
        LsProps props = new LsProps("label nonsense\nqid default=False type=int 1\nx default=True type=str a\\q\n");
        assertEquals("1", props.get("qid").value());
        assertThrows(RuntimeException.class, () -> props.get("label"));
        assertThrows(QubesException.class, () -> props.get("x"));
    }
}
