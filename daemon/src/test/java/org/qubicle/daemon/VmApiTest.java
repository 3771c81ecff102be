package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Classes, listing, state, create and remove. */
class VmApiTest extends ApiTestBase {
    @Test
    void vmclassList() throws Exception {
        String classes = ok("admin.vmclass.List", "", "dom0");
        for (String c : new String[] {"AdminVM", "AppVM", "DispVM", "StandaloneVM", "TemplateVM"}) {
            assertTrue(classes.contains(c + "\n"), classes);
        }
    }

    @Test
    void createAndList() throws Exception {
        createBasics();
        String all = ok("admin.vm.List", "", "dom0");
        String[] lines = all.split("\n");
        assertEquals(4, lines.length, all);
        assertTrue(lines[0].startsWith("alone class=StandaloneVM state=Halted uuid="), all);
        assertTrue(lines[1].startsWith("dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000"), all);
        assertTrue(lines[2].startsWith("tpl class=TemplateVM state=Halted uuid="), all);
        assertTrue(lines[3].startsWith("work class=AppVM state=Halted uuid="), all);
        assertEquals(lines[3] + "\n", ok("admin.vm.List", "", "work"));
        assertEquals("default=False type=vm tpl", ok("admin.vm.property.Get", "template", "work"));
        assertEquals("default=False type=label blue", ok("admin.vm.property.Get", "label", "work"));
        assertEquals("1", ok("admin.vm.tag.Get", "created-by-dom0", "work"));
    }

    @Test
    void currentState() throws Exception {
        createBasics();
        assertTrue(ok("admin.vm.CurrentState", "", "work").endsWith("power_state=Halted"));
        assertTrue(ok("admin.vm.CurrentState", "", "dom0").endsWith("power_state=Running"));
        assertTrue(ok("admin.vm.CurrentState", "", "work").startsWith("mem="));
    }

    @Test
    void createRefusals() throws Exception {
        createBasics();
        byte[] before = xml();
        refused("admin.vm.Create.AppVM", "tpl", "dom0", "name=work label=red"); // duplicate
        err("QubesVMNotFoundError", "admin.vm.Create.AppVM", "nosuch", "dom0", "name=w2 label=red");
        refused("admin.vm.Create.AppVM", "tpl", "dom0", "name=w2 label=nosuchlabel");
        err("QubesValueError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=1bad label=red");
        err("QubesValueError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=" + "a".repeat(32) + " label=red");
        err("ProtocolError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=w2");
        err("ProtocolError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=w2 label=red memory=5");
        err("ProtocolError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=w2 name=w3 label=red");
        err("PermissionDenied", "admin.vm.Create.AppVM", "tpl", "dom0", "name=w2 label=3");
        err("ProtocolError", "admin.vm.Create.AppVM", "tpl", "dom0", "name=w2 label=red pool=varlibqubes");
        err("ProtocolError", "admin.vm.Create.AppVM", "tpl", "work", "name=w2 label=red");
        refused("admin.vm.Create.StandaloneVM", "tpl", "dom0", "name=w2 label=red"); // no template for this class
        refused("admin.vm.Create.AppVM", "", "dom0", "name=w2 label=red"); // no default_template
        refused("admin.vm.Create.AppVM", "alone", "dom0", "name=w2 label=red"); // template is not a TemplateVM
        err("ProtocolError", "admin.vm.Create.AdminVM", "", "dom0", "name=w2 label=red");
        assertXmlUnchanged(before);
        assertFalse(ok("admin.vm.List", "", "dom0").contains("w2"));
    }

    @Test
    void createWithDefaultTemplateAndInPool() throws Exception {
        createBasics();
        ok("admin.property.Set", "default_template", "dom0", "tpl");
        ok("admin.vm.Create.AppVM", "", "dom0", "name=w2 label=red");
        assertEquals("default=False type=vm tpl", ok("admin.vm.property.Get", "template", "w2"));
        String pool = ok("admin.pool.List", "", "dom0").split("\n")[0];
        ok("admin.vm.CreateInPool.AppVM", "tpl", "dom0", "name=w3 label=red pool=" + pool);
        ok("admin.vm.CreateInPool.StandaloneVM", "", "dom0", "name=w4 label=red pool:private=" + pool);
        err("ProtocolError", "admin.vm.CreateInPool.AppVM", "tpl", "dom0", "name=w5 label=red pool=" + pool + " pool:root=" + pool);
        err("PermissionDenied", "admin.vm.CreateInPool.AppVM", "tpl", "dom0", "name=w5 label=red pool:swap=" + pool);
        refused("admin.vm.CreateInPool.AppVM", "tpl", "dom0", "name=w5 label=red pool=nosuchpool");
        assertFalse(ok("admin.vm.List", "", "dom0").contains("w5"));
    }

    @Test
    void removeAndInUse() throws Exception {
        createBasics();
        byte[] before = xml();
        err("QubesVMInUseError", "admin.vm.Remove", "", "tpl"); // template of work
        err("QubesVMInUseError", "admin.vm.Remove", "", "dom0");
        assertXmlUnchanged(before);
        ok("admin.vm.property.Set", "template_for_dispvms", "work", "True");
        ok("admin.vm.property.Set", "default_dispvm", "alone", "work");
        before = xml();
        err("QubesVMInUseError", "admin.vm.Remove", "", "work"); // default_dispvm of alone
        assertXmlUnchanged(before);
        ok("admin.vm.property.Reset", "default_dispvm", "alone");
        ok("admin.property.Set", "default_dispvm", "dom0", "work");
        before = xml();
        err("QubesVMInUseError", "admin.vm.Remove", "", "work"); // global default
        assertXmlUnchanged(before);
        ok("admin.property.Reset", "default_dispvm", "dom0");
        ok("admin.vm.property.Set", "provides_network", "alone", "True");
        ok("admin.vm.property.Set", "netvm", "work", "alone");
        err("QubesVMInUseError", "admin.vm.Remove", "", "alone"); // netvm of work
        ok("admin.vm.Remove", "", "work");
        ok("admin.vm.Remove", "", "tpl");
        ok("admin.vm.Remove", "", "alone");
        assertEquals(1, ok("admin.vm.List", "", "dom0").split("\n").length);
        err("QubesVMNotFoundError", "admin.vm.Remove", "", "work");
    }
}
