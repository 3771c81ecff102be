package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** admin.label.*, admin.vm.notes.*, admin.vm.firewall.*, devices. */
class LabelNotesFirewallApiTest extends ApiTestBase {
    @Test
    void labels() throws Exception {
        assertEquals("red\norange\nyellow\ngreen\ngray\nblue\npurple\nblack\n", ok("admin.label.List", "", "dom0"));
        assertEquals("0xcc0000", ok("admin.label.Get", "red", "dom0"));
        assertEquals("8", ok("admin.label.Index", "black", "dom0"));
        assertEquals("Label does not exist: mauve", err("QubesLabelNotFoundError", "admin.label.Get", "mauve", "dom0"));
        ok("admin.label.Create", "mauve", "dom0", "0xe0b0ff");
        assertEquals("9", ok("admin.label.Index", "mauve", "dom0"));
        assertEquals("0xe0b0ff", ok("admin.label.Get", "mauve", "dom0"));
        byte[] before = xml();
        err("QubesInvalidLabelValueError", "admin.label.Create", "pink", "dom0", "0xZZ0000");
        err("QubesInvalidLabelValueError", "admin.label.Create", "pink", "dom0", "0xff00001");
        refused("admin.label.Create", "mauve", "dom0", "0x000000"); // exists
        refused("admin.label.Create", "123", "dom0", "0x000000");
        refused("admin.label.Create", "bad/name", "dom0", "0x000000");
        assertEquals("Can only remove custom labels", err("ProtocolError", "admin.label.Remove", "red", "dom0"));
        err("ProtocolError", "admin.label.List", "", "dom0", "x");
        assertXmlUnchanged(before);
        ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=m label=mauve");
        err("QubesLabelInUseError", "admin.label.Remove", "mauve", "dom0");
        ok("admin.vm.Remove", "", "m");
        ok("admin.label.Remove", "mauve", "dom0");
        err("QubesLabelNotFoundError", "admin.label.Remove", "mauve", "dom0");
    }

    @Test
    void notes() throws Exception {
        createBasics();
        assertEquals("", ok("admin.vm.notes.Get", "", "work"));
        ok("admin.vm.notes.Set", "", "work", "first line\n\tsecond — ünïcode\u0007bell");
        assertEquals("first line\n\tsecond — ünïcode_bell", ok("admin.vm.notes.Get", "", "work"));
        ok("admin.vm.notes.Set", "", "work", "");
        assertEquals("", ok("admin.vm.notes.Get", "", "work"));
        err("ProtocolError", "admin.vm.notes.Set", "", "dom0", "x");
    }

    @Test
    void firewall() throws Exception {
        createBasics();
        assertEquals("action=accept\n", ok("admin.vm.firewall.Get", "", "work"));
        ok("admin.vm.firewall.Set", "", "work",
                "action=accept proto=tcp dst4=1.2.3.4/32 dstports=443-443\naction=accept specialtarget=dns\naction=drop\n");
        String rules = ok("admin.vm.firewall.Get", "", "work");
        assertEquals(3, rules.split("\n").length, rules);
        assertTrue(rules.startsWith("action=accept dst4=1.2.3.4/32 proto=tcp dstports=443-443\n"), rules);
        byte[] before = xml();
        err("ProtocolError", "admin.vm.firewall.Set", "", "work", "");
        refused("admin.vm.firewall.Set", "", "work", "action=maybe\n");
        refused("admin.vm.firewall.Set", "", "work", "action=accept\nproto=tcp\n");
        refused("admin.vm.firewall.Set", "", "work", "action=accept icmptype=3 proto=tcp\n");
        assertXmlUnchanged(before);
        assertEquals(rules, ok("admin.vm.firewall.Get", "", "work"));
        ok("admin.vm.firewall.Reload", "", "work");
        err("ProtocolError", "admin.vm.firewall.Get", "", "dom0");
    }

    @Test
    void devicesAreEmpty() throws Exception {
        createBasics();
        String classes = ok("admin.deviceclass.List", "", "dom0");
        assertTrue(classes.contains("block\n") && classes.contains("pci\n"), classes);
        for (String c : classes.split("\n")) {
            assertEquals("", ok("admin.vm.device." + c + ".Available", "", "work"));
            assertEquals("", ok("admin.vm.device." + c + ".Assigned", "", "work"));
            assertEquals("", ok("admin.vm.device." + c + ".Attached", "", "work"));
        }
        err("ProtocolError", "admin.vm.device.nosuch.Assigned", "", "work");
    }
}
