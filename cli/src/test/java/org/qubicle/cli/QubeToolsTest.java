package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QubeToolsTest extends ToolTestBase {
    @Test
    void createChecksLabelAndClassThenCreates() {
        daemon.on("dom0", "admin.label.List", "red\nblue\n");
        daemon.on("dom0", "admin.vmclass.List", "AppVM\nTemplateVM\n");
        daemon.on("dom0", "admin.vm.Create.AppVM+fedora", "");
        daemon.on("new", "admin.vm.property.Set+memory", "");
        daemon.on("new", "admin.vm.property.Set+vcpus", "!QubesValueError:bad vcpus");
        Result r = run(new QvmCreate(), "-t", "fedora", "-l", "red", "--prop", "memory=400", "new");
        assertEquals(0, r.code(), r.err());
        assertTrue(daemon.calls().contains("dom0 admin.vm.Create.AppVM+fedora|name=new label=red"));
        assertTrue(daemon.calls().contains("new admin.vm.property.Set+memory|400"));
        r = run(new QvmCreate(), "-t", "fedora", "-l", "red", "--prop", "vcpus=x", "new");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Error setting property vcpus (but VM created): bad vcpus"), r.err());
        assertEquals(2, run(new QvmCreate(), "new").code());
        r = run(new QvmCreate(), "-l", "pink", "new");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such label: 'pink'; available: red, blue"), r.err());
    }

    @Test
    void createFailureExitsOne() {
        daemon.on("dom0", "admin.label.List", "red\n");
        daemon.on("dom0", "admin.vmclass.List", "AppVM\n");
        daemon.on("dom0", "admin.vm.Create.AppVM", "!QubesVMAlreadyExistsError:VM work already exists");
        Result r = run(new QvmCreate(), "-l", "red", "-P", "fast", "work");
        // The fake answers an unexpected call with ProtocolError: CreateInPool must be the call.
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unexpected call in test: dom0 admin.vm.CreateInPool.AppVM+"), r.err());
        daemon.on("dom0", "admin.vm.CreateInPool.AppVM", "!QubesVMAlreadyExistsError:VM work already exists");
        r = run(new QvmCreate(), "-l", "red", "-P", "fast", "work");
        assertEquals(1, r.code());
        assertEquals("app: Error creating VM: VM work already exists\n", r.err());
    }

    @Test
    void checkExitCodes() {
        daemon.on("sys-net", "admin.vm.CurrentState", "mem=1 mem_static_max=2 cputime=0 power_state=Running");
        daemon.on("work", "admin.vm.CurrentState", "mem=0 mem_static_max=2 cputime=0 power_state=Halted");
        assertEquals(0, run(new QvmCheck(), "work").code());
        Result r = run(new QvmCheck(), "work", "ghost");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("qvm-check: ghost: non-existent!"), r.err());
        assertEquals(3, run(new QvmCheck(), "--running", "work", "sys-net").code());
        assertEquals(1, run(new QvmCheck(), "--running", "work").code());
        assertEquals(0, run(new QvmCheck(), "--template", "fedora").code());
        assertEquals(2, run(new QvmCheck()).code());
        assertEquals("", run(new QvmCheck(), "-q", "work").err());
    }

    @Test
    void removeAsksAndHonoursForce() {
        daemon.on("work", "admin.vm.Remove", "");
        daemon.on("sys-net", "admin.vm.Remove", "!QubesVMInUseError:VM has connected VMs");
        daemon.on("dom0", "admin.property.GetAll", "default_netvm default=False type=vm sys-net\n");
        assertEquals(0, run(new QvmRemove(), "-f", "work").code());
        assertTrue(daemon.calls().contains("work admin.vm.Remove+"));
        Result r = run(new QvmRemove(), "--force", "sys-net");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("VM sys-net cannot be removed. It is in use as:\n"), r.err());
        assertTrue(r.err().contains(" - global property default_netvm\n"), r.err());
        assertTrue(r.err().contains(" - netvm for personal\n"), r.err());
        assertTrue(r.err().endsWith("qvm-remove: error: VM has connected VMs\n"), r.err());
        assertEquals(1, run(new QvmRemove(), "-f", "dom0").code());
        assertEquals(2, run(new QvmRemove(), "-f", "ghost").code());
    }

    @Test
    void cloneCopiesEverythingButCreatedByTags() {
        daemon.on("work", "admin.vm.property.List", "label\nnetvm\nqid\ntemplate\nmemory\nkernelopts\n");
        daemon.on("work", "admin.vm.volume.List", "private\nroot\n");
        daemon.on("work", "admin.vm.volume.Info+private", "pool=default\nvid=work-private\nrw=True\nsave_on_stop=True\nsnap_on_start=False\n");
        daemon.on("work", "admin.vm.volume.Info+root", "pool=default\nvid=work-root\nrw=True\nsave_on_stop=False\nsnap_on_start=True\n");
        daemon.on("dom0", "admin.property.GetAll", "default_pool_private default=True type=str default\n");
        daemon.on("dom0", "admin.vm.Create.AppVM+fedora", "");
        daemon.on("copy", "admin.vm.property.Set+memory", "");
        daemon.on("copy", "admin.vm.property.Set+kernelopts", "");
        daemon.on("work", "admin.vm.tag.List", "created-by-dom0\nmine\n");
        daemon.on("copy", "admin.vm.tag.Set+mine", "");
        daemon.on("work", "admin.vm.feature.List", "gui\npreload-dispvm\n");
        daemon.on("work", "admin.vm.feature.Get+gui", "1");
        daemon.on("copy", "admin.vm.feature.Set+gui", "");
        daemon.on("work", "admin.vm.notes.Get", "hello");
        daemon.on("copy", "admin.vm.notes.Set", "");
        daemon.on("work", "admin.vm.firewall.Get", "action=drop dst4=1.2.3.4/32\naction=accept\n");
        daemon.on("copy", "admin.vm.firewall.Set", "");
        daemon.on("copy", "admin.vm.volume.List", "private\nroot\n");
        daemon.on("copy", "admin.vm.volume.Info+private", "pool=default\nsave_on_stop=True\n");
        daemon.on("copy", "admin.vm.volume.Info+root", "pool=default\nsave_on_stop=False\n");
        daemon.on("work", "admin.vm.volume.CloneFrom+private", "token123");
        daemon.on("copy", "admin.vm.volume.CloneTo+private", "");
        daemon.on("dom0", "admin.deviceclass.List", "pci\n");
        daemon.on("work", "admin.vm.device.pci.Assigned", "dom0+00_1f.2:0x8086:0x1234 mode='required' frontend_domain='work'\n");
        daemon.on("copy", "admin.vm.device.pci.Assign+dom0+00_1f.2:0x8086:0x1234", "");
        Result r = run(new QvmClone(), "-q", "work", "copy");
        assertEquals(0, r.code(), r.err() + daemon.calls());
        List<String> calls = daemon.calls();
        assertTrue(calls.contains("dom0 admin.vm.Create.AppVM+fedora|name=copy label=blue"), calls.toString());
        assertTrue(calls.contains("copy admin.vm.property.Set+memory|600"));
        assertTrue(calls.contains("copy admin.vm.property.Set+kernelopts|a\nb"));
        assertTrue(calls.stream().noneMatch(c -> c.contains("Set+created-by")));
        assertTrue(calls.stream().noneMatch(c -> c.contains("Set+preload-dispvm")));
        assertTrue(calls.contains("copy admin.vm.firewall.Set+|action=drop dst4=1.2.3.4/32\naction=accept\n"));
        assertTrue(calls.contains("copy admin.vm.volume.CloneTo+private|token123"));
        assertTrue(calls.contains("copy admin.vm.device.pci.Assign+dom0+00_1f.2:0x8086:0x1234"
                + "|mode='required' frontend_domain='copy'"), calls.toString());
    }

    @Test
    void cloneFailureRemovesTheCopy() {
        daemon.on("work", "admin.vm.property.List", "memory\n");
        daemon.on("work", "admin.vm.volume.List", "");
        daemon.on("dom0", "admin.vm.Create.AppVM+fedora", "");
        daemon.on("copy", "admin.vm.property.Set+memory", "!QubesPropertyValueError:memory too big");
        daemon.on("copy", "admin.vm.Remove", "");
        Result r = run(new QvmClone(), "work", "copy");
        assertEquals(1, r.code());
        assertTrue(r.err().endsWith("qvm-clone: error: memory too big\n"), r.err());
        assertTrue(daemon.calls().contains("copy admin.vm.Remove+"));
    }
}
