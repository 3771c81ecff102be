package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** admin.vm.property.* and admin.property.*. */
class PropertyApiTest extends ApiTestBase {
    @Test
    void listGetGetAll() throws Exception {
        createBasics();
        List<String> names = List.of(ok("admin.vm.property.List", "", "work").split("\n"));
        assertTrue(names.containsAll(List.of("name", "qid", "uuid", "label", "template", "netvm", "memory", "vcpus")), names.toString());
        assertEquals("default=False type=str work", ok("admin.vm.property.Get", "name", "work"));
        assertEquals("default=True type=int 400", ok("admin.vm.property.Get", "memory", "work"));
        String all = ok("admin.vm.property.GetAll", "", "work");
        assertTrue(all.contains("memory default=True type=int 400\n"), all);
        assertTrue(all.contains("name default=False type=str work\n"), all);
        assertEquals(names.size(), all.split("\n").length);
        err("QubesNoSuchPropertyError", "admin.vm.property.Get", "nosuch", "work");
        err("QubesNoSuchPropertyError", "admin.vm.property.Help", "nosuch", "work");
        err("QubesNoSuchPropertyError", "admin.vm.property.GetDefault", "nosuch", "work");
        assertFalse(ok("admin.vm.property.Help", "memory", "work").isEmpty());
        err("QubesNoSuchPropertyError", "admin.vm.property.Get", "default_user", "dom0");
    }

    @Test
    void getAllOfAllIsEachQubesGetAllLengthPrefixed() throws Exception {
        createBasics();
        String all = ok("admin.vm.property.GetAllOfAll", "", "dom0");
        StringBuilder seen = new StringBuilder();
        int at = 0;
        while (at < all.length()) {
            int nl = all.indexOf('\n', at);
            String[] head = all.substring(at, nl).split(" ");
            int end = nl + 1 + Integer.parseInt(head[1]);
            assertEquals(ok("admin.vm.property.GetAll", "", head[0]), all.substring(nl + 1, end), head[0]);
            seen.append(head[0]).append('\n');
            at = end;
        }
        assertEquals(ok("admin.vm.List", "", "dom0").replaceAll(" .*", ""), seen.toString());
        err("ProtocolError", "admin.vm.property.GetAllOfAll", "", "work");
        // Only the properties asked for, in the order asked, those the qube lacks left out.
        String some = ok("admin.vm.property.GetAllOfAll", "template+nosuch+label", "dom0");
        String work = "template default=False type=vm tpl\nlabel default=False type=label blue\n";
        assertTrue(some.contains("\nwork " + work.length() + "\n" + work), some);
        assertTrue(some.contains("dom0 37\nlabel default=False type=label black\nt"), some);
    }

    @Test
    void setResetAndDefaults() throws Exception {
        createBasics();
        ok("admin.vm.property.Set", "memory", "tpl", "1000");
        assertEquals("default=True type=int 1000", ok("admin.vm.property.Get", "memory", "work")); // from the template
        ok("admin.vm.property.Set", "memory", "work", "600");
        assertEquals("default=False type=int 600", ok("admin.vm.property.Get", "memory", "work"));
        assertEquals("type=int 1000", ok("admin.vm.property.GetDefault", "memory", "work"));
        ok("admin.vm.property.Reset", "memory", "work");
        assertEquals("default=True type=int 1000", ok("admin.vm.property.Get", "memory", "work"));
        ok("admin.vm.property.Set", "label", "work", "green");
        assertEquals("default=False type=label green", ok("admin.vm.property.Get", "label", "work"));
        ok("admin.vm.property.Set", "debug", "work", "on");
        assertEquals("default=False type=bool True", ok("admin.vm.property.Get", "debug", "work"));
        ok("admin.vm.property.Set", "netvm", "work", "");
        assertEquals("default=False type=vm ", ok("admin.vm.property.Get", "netvm", "work"));
    }

    @Test
    void badValuesChangeNothing() throws Exception {
        createBasics();
        byte[] before = xml();
        err("QubesValueError", "admin.vm.property.Set", "memory", "work", "lots");
        refused("admin.vm.property.Set", "memory", "work", "-5");
        err("QubesValueError", "admin.vm.property.Set", "debug", "work", "maybe");
        err("QubesValueError", "admin.vm.property.Set", "debug", "work", "");
        err("QubesValueError", "admin.vm.property.Set", "memory", "work", "\u00e9");
        err("QubesLabelNotFoundError", "admin.vm.property.Set", "label", "work", "mauve");
        refused("admin.vm.property.Set", "netvm", "work", "nosuch");
        refused("admin.vm.property.Set", "netvm", "work", "tpl"); // does not provide network
        refused("admin.vm.property.Set", "name", "work", "other");
        refused("admin.vm.property.Set", "qid", "work", "5");
        err("QubesNoSuchPropertyError", "admin.vm.property.Set", "nosuch", "work", "1");
        err("QubesNoSuchPropertyError", "admin.vm.property.Reset", "nosuch", "work");
        err("ProtocolError", "admin.vm.property.Reset", "memory", "work", "1");
        assertXmlUnchanged(before);
        assertEquals("default=True type=int 400", ok("admin.vm.property.Get", "memory", "work"));
    }

    @Test
    void globalProperties() throws Exception {
        createBasics();
        List<String> names = List.of(ok("admin.property.List", "", "dom0").split("\n"));
        assertTrue(names.containsAll(List.of("default_template", "default_netvm", "default_qrexec_timeout")), names.toString());
        assertEquals("default=True type=int 60", ok("admin.property.Get", "default_qrexec_timeout", "dom0"));
        ok("admin.property.Set", "default_qrexec_timeout", "dom0", "90");
        assertEquals("default=False type=int 90", ok("admin.property.Get", "default_qrexec_timeout", "dom0"));
        assertEquals("default=True type=int 90", ok("admin.vm.property.Get", "qrexec_timeout", "work"));
        assertTrue(ok("admin.property.GetAll", "", "dom0").contains("default_qrexec_timeout default=False type=int 90\n"));
        ok("admin.property.Reset", "default_qrexec_timeout", "dom0");
        assertEquals("default=True type=int 60", ok("admin.property.Get", "default_qrexec_timeout", "dom0"));
        assertEquals("type=int 60", ok("admin.property.GetDefault", "default_qrexec_timeout", "dom0"));
        ok("admin.property.Set", "default_template", "dom0", "tpl");
        assertEquals("default=False type=vm tpl", ok("admin.property.Get", "default_template", "dom0"));
        refused("admin.property.Set", "default_template", "dom0", "work"); // not a template
        refused("admin.property.Set", "default_template", "dom0", "nosuch");
        err("QubesNoSuchPropertyError", "admin.property.Get", "nosuch", "dom0");
        assertFalse(ok("admin.property.Help", "default_template", "dom0").isEmpty());
        err("ProtocolError", "admin.property.List", "", "work");
    }
}
