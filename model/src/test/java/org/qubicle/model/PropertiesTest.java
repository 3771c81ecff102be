package org.qubicle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesLabelNotFoundError;
import org.qubicle.model.exc.QubesNoSuchPropertyError;
import org.qubicle.model.exc.QubesPropertyValueError;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.model.exc.QubesValueError;

class PropertiesTest {
    private final Qubes app = ModelFixture.defaultSystem();
    private final Qube work = app.find("work").orElseThrow();
    private final Qube template = app.find("debian-12").orElseThrow();

    @Test
    void defaultFollowsTheTemplateThenTheConstant() {
        assertEquals("default=True type=int 400", work.get("memory").toApiString());
        template.set("memory", "800");
        assertEquals("default=True type=int 800", work.get("memory").toApiString());
        work.set("memory", "800");
        assertEquals("default=False type=int 800", work.get("memory").toApiString());
        work.reset("memory");
        assertTrue(work.get("memory").isDefault());
    }

    @Test
    void netvmDefaultsToTheGlobalButTemplatesHaveNone() {
        assertEquals("default=True type=vm sys-firewall", work.get("netvm").toApiString());
        assertEquals("default=True type=vm ", template.get("netvm").toApiString());
        assertTrue(template.getDefault("netvm").isEmpty());
        work.set("netvm", "");
        assertEquals("default=False type=vm ", work.get("netvm").toApiString());
    }

    @Test
    void valuesAreParsedByType() {
        work.set("debug", "yes");
        assertEquals("True", work.get("debug").text());
        assertThrows(QubesValueError.class, () -> work.set("debug", "maybe"));
        assertThrows(QubesValueError.class, () -> work.set("memory", "lots"));
        assertThrows(QubesPropertyValueError.class, () -> work.set("memory", "-5"));
        assertThrows(QubesValueError.class, () -> work.set("kernelopts", "caf\u00e9"));
        assertThrows(QubesLabelNotFoundError.class, () -> work.set("label", "pink"));
        work.set("label", "3");
        assertEquals("yellow", work.get("label").text());
        work.set("label", "label-6");
        assertEquals("blue", work.get("label").text());
        assertThrows(QubesNoSuchPropertyError.class, () -> work.get("no_such"));
    }

    @Test
    void netvmMustProvideNetworkAndNotLoop() {
        assertThrows(QubesPropertyValueError.class, () -> work.set("netvm", "debian-12"));
        assertThrows(QubesPropertyValueError.class, () -> work.set("netvm", "ghost"));
        Qube net = app.find("sys-net").orElseThrow();
        assertThrows(QubesPropertyValueError.class, () -> net.set("netvm", "sys-firewall"));
        assertThrows(QubesPropertyValueError.class, () -> net.set("provides_network", "False"));
    }

    @Test
    void writeOnceReadOnlyAndHaltedOnly() {
        assertThrows(QubesPropertyValueError.class, () -> work.set("name", "other"));
        assertThrows(QubesPropertyValueError.class, () -> work.set("qid", "77"));
        assertThrows(QubesPropertyValueError.class, () -> work.set("updateable", "True"));
        assertThrows(QubesPropertyValueError.class, () -> work.reset("template"));
        // identity cannot be reset to nothing: the qube would lose its name, qid or uuid
        for (String identity : List.of("name", "qid", "uuid")) {
            assertThrows(QubesPropertyValueError.class, () -> work.reset(identity), identity);
        }
        assertEquals(Integer.toString(work.qid()), work.get("qid").text());
        work.setPowerState(PowerState.Running);
        assertThrows(QubesVMNotHaltedError.class, () -> work.set("template", "debian-12"));
        work.set("memory", "500");
    }

    @Test
    void addressesComeFromTheQid() {
        assertEquals("10.137.0." + work.qid(), work.get("ip").text());
        assertEquals("10.137.1.46", NetworkProperties.address("10.137", 300));
        assertEquals(app.find("sys-firewall").orElseThrow().get("ip").text(), work.get("visible_gateway").text());
        assertEquals("10.139.1.1 10.139.1.2", work.get("dns").text());
        work.set("netvm", "");
        assertEquals("", work.get("ip").text());
    }

    @Test
    void eventsCarryNameNewAndOldValue() {
        List<String> seen = new ArrayList<>();
        app.events().subscribe(e -> seen.add(e.subject() + " " + e.wireName() + " " + e.kwargs()));
        work.set("vcpus", "4");
        work.reset("vcpus");
        assertEquals(List.of(
                "work property-pre-set:vcpus {name=vcpus, newvalue=4, oldvalue=2}",
                "work property-set:vcpus {name=vcpus, newvalue=4, oldvalue=2}",
                "work property-pre-reset:vcpus {name=vcpus, oldvalue=4}",
                "work property-reset:vcpus {name=vcpus, oldvalue=4}"), seen);
    }

    @Test
    void globalPropertiesValidateTheirTargets() {
        assertThrows(QubesPropertyValueError.class, () -> app.globals().set("default_template", "work"));
        assertThrows(QubesPropertyValueError.class, () -> app.globals().set("default_dispvm", "work"));
        assertThrows(QubesPropertyValueError.class, () -> app.globals().set("default_pool", "nope"));
        assertEquals("varlibqubes", app.globals().get("default_pool").text());
        assertEquals("default=False type=str linux-kernel", app.globals().get("default_pool_kernel").toApiString());
        assertFalse(app.globals().isSet("default_qrexec_timeout"));
    }
}
