package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PropertyToolsTest extends ToolTestBase {
    @Test
    void prefsListShowsFlagsAndNone() {
        daemon.on("work", "admin.vm.property.List", "qid\nnetvm\nlabel\nmaxmem\n");
        daemon.on("work", "admin.vm.property.GetAll", "label default=False type=label blue\n"
                + "maxmem default=True type=int \nnetvm default=True type=vm \nqid default=False type=int 3\n");
        Result r = run(new QvmPrefs(), "work");
        assertEquals(0, r.code(), r.err());
        assertEquals("label   -  blue\nmaxmem  U\nnetvm   D  None\nqid     -  3\n", r.out());
        assertEquals("label   -  blue\nmaxmem  U\nqid     -  3\n",
                run(new QvmPrefs(), "--hide-default", "work").out());
    }

    @Test
    void prefsGetSetReset() {
        daemon.on("work", "admin.vm.property.Get+memory", "default=False type=int 600");
        daemon.on("work", "admin.vm.property.Get+netvm", "default=True type=vm ");
        daemon.on("work", "admin.vm.property.Set+netvm", "");
        daemon.on("work", "admin.vm.property.Reset+memory", "");
        assertEquals("600\n", run(new QvmPrefs(), "work", "memory").out());
        assertEquals("", run(new QvmPrefs(), "work", "netvm").out());
        assertEquals(0, run(new QvmPrefs(), "work", "netvm", "None").code());
        assertTrue(daemon.calls().contains("work admin.vm.property.Set+netvm"), daemon.calls().toString());
        assertEquals(0, run(new QvmPrefs(), "work", "memory", "--default").code());
        assertTrue(daemon.calls().contains("work admin.vm.property.Reset+memory"));
    }

    @Test
    void prefsErrors() {
        daemon.on("work", "admin.vm.property.Get+nope", "!QubesNoSuchPropertyError:Invalid property 'nope' of work");
        daemon.on("work", "admin.vm.property.Set+memory", "!QubesValueError:Failed to parse property value as int");
        Result r = run(new QvmPrefs(), "work", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().endsWith("qvm-prefs: error: no such property: 'nope'\n"), r.err());
        r = run(new QvmPrefs(), "work", "memory", "lots");
        assertEquals(1, r.code());
        assertEquals("qvm-prefs: error: Failed to parse property value as int\n", r.err());
        r = run(new QvmPrefs(), "ghost", "memory");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such domain: 'ghost'"));
        assertEquals(2, run(new QvmPrefs()).code());
    }

    @Test
    void qubesPrefsUsesGlobalCalls() {
        daemon.on("dom0", "admin.property.Get+default_netvm", "default=False type=vm sys-net");
        daemon.on("dom0", "admin.property.Set+clockvm", "");
        assertEquals("sys-net\n", run(new QubesPrefs(), "default_netvm").out());
        assertEquals(0, run(new QubesPrefs(), "clockvm", "sys-net").code());
        assertTrue(daemon.calls().contains("dom0 admin.property.Set+clockvm|sys-net"));
    }

    @Test
    void featuresListGetSetUnset() {
        daemon.on("work", "admin.vm.feature.List", "gui\nservice.cups\n");
        daemon.on("work", "admin.vm.feature.Get+gui", "1");
        daemon.on("work", "admin.vm.feature.Get+service.cups", "");
        daemon.on("work", "admin.vm.feature.Get+absent", "!QubesFeatureNotFoundError:Feature not set for domain work: absent");
        daemon.on("work", "admin.vm.feature.Set+x", "");
        daemon.on("work", "admin.vm.feature.Remove+absent", "!QubesFeatureNotFoundError:Feature not set");
        assertEquals("gui           1\nservice.cups  \n", run(new QvmFeatures(), "work").out());
        assertEquals("1\n", run(new QvmFeatures(), "work", "gui").out());
        Result r = run(new QvmFeatures(), "work", "absent");
        assertEquals(1, r.code());
        assertEquals("", r.err());
        assertEquals(0, run(new QvmFeatures(), "work", "x", "y z").code());
        assertTrue(daemon.calls().contains("work admin.vm.feature.Set+x|y z"));
        assertEquals(0, run(new QvmFeatures(), "work", "absent", "-D").code());
        assertEquals(2, run(new QvmFeatures(), "work", "-D").code());
    }

    @Test
    void services() {
        daemon.on("work", "admin.vm.feature.List", "gui\nservice.cups\nservice.ssh\n");
        daemon.on("work", "admin.vm.feature.Get+service.cups", "");
        daemon.on("work", "admin.vm.feature.Get+service.ssh", "1");
        daemon.on("work", "admin.vm.feature.Set+service.ssh", "");
        daemon.on("work", "admin.vm.feature.Set+service.cups", "");
        assertEquals("cups  off\nssh   on\n", run(new QvmService(), "work").out());
        assertEquals("on\n", run(new QvmService(), "work", "ssh").out());
        assertEquals(0, run(new QvmService(), "work", "ssh", "off").code());
        assertTrue(daemon.calls().contains("work admin.vm.feature.Set+service.ssh"));
        assertEquals(0, run(new QvmService(), "work", "cups", "--enable").code());
        assertTrue(daemon.calls().contains("work admin.vm.feature.Set+service.cups|1"));
        Result r = run(new QvmService(), "work", "ssh", "maybe");
        assertEquals(1, r.code());
        assertEquals("qvm-service: error: Invalid literal for boolean value: 'maybe'\n", r.err());
    }

    @Test
    void tags() {
        daemon.on("work", "admin.vm.tag.List", "zeta\ncreated-by-dom0\n");
        daemon.on("work", "admin.vm.tag.Set+a", "");
        daemon.on("work", "admin.vm.tag.Set+b", "");
        daemon.on("work", "admin.vm.tag.Set+bad!", "!QubesInvalidTagError:Invalid tag");
        daemon.on("work", "admin.vm.tag.Remove+gone", "!QubesTagNotFoundError:Tag not set for domain work: gone");
        assertEquals("created-by-dom0\nzeta\n", run(new QvmTags(), "work").out());
        assertEquals("zeta\n", run(new QvmTags(), "work", "list", "zeta").out());
        assertEquals(1, run(new QvmTags(), "work", "ls", "nope").code());
        assertEquals(0, run(new QvmTags(), "work", "add", "a", "b").code());
        assertEquals(0, run(new QvmTags(), "work", "del", "gone").code());
        Result r = run(new QvmTags(), "work", "add", "bad!");
        assertEquals(1, r.code());
        assertEquals("qvm-tags: error: Invalid tag\n", r.err());
    }

    @Test
    void notes() throws Exception {
        daemon.on("work", "admin.vm.notes.Get", "line one");
        daemon.on("work", "admin.vm.notes.Set", "");
        assertEquals("line one\n", run(new QvmNotes(), "work", "--print").out());
        assertEquals(0, run(new QvmNotes(), "work", "--append", "two").code());
        assertTrue(daemon.calls().contains("work admin.vm.notes.Set+|line one\ntwo"), daemon.calls().toString());
        assertEquals(0, run(new QvmNotes(), "work", "--delete", "--force").code());
        assertEquals(2, run(new QvmNotes(), "work", "--print", "--set", "x").code());
    }
}
