package org.qubicle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesFeatureNotFoundError;
import org.qubicle.model.exc.QubesInvalidTagError;
import org.qubicle.model.exc.QubesTagNotFoundError;
import org.qubicle.model.exc.QubesVMAlreadyExistsError;
import org.qubicle.model.exc.QubesVMInUseError;
import org.qubicle.model.exc.QubesVMInvalidUUIDError;
import org.qubicle.model.exc.QubesVMNotFoundError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.firewall.FirewallRule;

class QubesTest {
    private final Qubes app = ModelFixture.defaultSystem();

    @Test
    void namesAreValidated() {
        assertThrows(QubesValueError.class, () -> QubeName.parse("1abc"));
        assertThrows(QubesValueError.class, () -> QubeName.parse("a".repeat(32)));
        assertThrows(QubesValueError.class, () -> QubeName.parse("lost+found"));
        assertThrows(QubesValueError.class, () -> QubeName.parse("foo-dm"));
        assertThrows(QubesValueError.class, () -> QubeName.parse("none"));
        assertEquals("a".repeat(31), QubeName.parse("a".repeat(31)).value());
    }

    @Test
    void createGivesLowestFreeQidAndCreatedByTag() {
        Qube a = app.create(CreateRequest.of(QubeClass.APP_VM, "a1", "red", null));
        int qid = a.qid();
        app.remove(a);
        Qube b = app.create(new CreateRequest(QubeClass.APP_VM, "b1", "red", Optional.empty(), Map.of(), "dom0", Optional.empty()));
        assertEquals(qid, b.qid());
        assertTrue(b.tags().contains("created-by-dom0"));
        assertEquals("debian-12", b.get("template").text());
        assertThrows(QubesVMAlreadyExistsError.class, () -> app.create(CreateRequest.of(QubeClass.APP_VM, "b1", "red", null)));
        assertThrows(QubesValueError.class, () -> app.create(CreateRequest.of(QubeClass.TEMPLATE_VM, "t2", "red", "debian-12")));
    }

    @Test
    void removingAQubeInUseIsRefused() {
        assertThrows(QubesVMInUseError.class, () -> app.remove(app.find("debian-12").orElseThrow()));
        assertThrows(QubesVMInUseError.class, () -> app.remove(app.find("sys-net").orElseThrow()));
        assertThrows(QubesVMInUseError.class, () -> app.remove(app.find("default-dvm").orElseThrow()));
        assertThrows(QubesVMInUseError.class, () -> app.remove(app.adminVm()));
        app.remove(app.find("work").orElseThrow());
        assertTrue(app.find("work").isEmpty());
    }

    @Test
    void lookupByNameAndUuid() {
        Qube work = app.find("work").orElseThrow();
        assertEquals(work, app.qube("uuid:" + work.uuid()));
        assertThrows(QubesVMInvalidUUIDError.class, () -> app.qube("uuid:nope"));
        QubesVMNotFoundError e = assertThrows(QubesVMNotFoundError.class, () -> app.qube("ghost"));
        assertEquals("No such domain: 'ghost'", e.getMessage());
    }

    @Test
    void featuresFollowChainsAndTruthRules() {
        Qube work = app.find("work").orElseThrow();
        app.find("debian-12").orElseThrow().features().set("os", "Linux");
        assertEquals(Optional.of("Linux"), work.features().checkWithTemplate("os"));
        app.adminVm().features().set("gui-x", "0");
        assertEquals(Optional.of("0"), work.features().checkWithAdminVm("gui-x"));
        assertTrue(app.adminVm().features().isTrue("gui-x"));
        work.features().set("empty", "");
        assertEquals(Optional.of(""), work.features().checkWithTemplateAndAdminVm("empty"));
        assertThrows(QubesFeatureNotFoundError.class, () -> work.features().get("absent"));
        assertThrows(org.qubicle.model.exc.ProtocolError.class, () -> work.features().set("bad name", "x"));
    }

    @Test
    void tagsAreValidatedAndIdempotent() {
        Qube work = app.find("work").orElseThrow();
        work.tags().add("managed");
        work.tags().add("managed");
        assertThrows(QubesInvalidTagError.class, () -> work.tags().add("bad tag"));
        work.tags().remove("managed");
        assertThrows(QubesTagNotFoundError.class, () -> work.tags().remove("managed"));
    }

    @Test
    void disposablesCopyFromTheirTemplate() {
        Qube dvm = app.find("default-dvm").orElseThrow();
        dvm.set("memory", "1000");
        dvm.features().set("x", "1");
        Qube d = app.create(new CreateRequest(QubeClass.DISP_VM, "disp42", "red", Optional.empty(), Map.of(), "dom0", Optional.of(42)));
        assertEquals("default=False type=int 1000", d.get("memory").toApiString());
        assertEquals("1", d.features().get("x"));
        assertEquals("10.138.0.42", d.get("ip").text());
        assertEquals("default-dvm", d.get("default_dispvm").text());
        assertEquals(Optional.of(app.find("debian-12").orElseThrow().volumes().get("root").vid()), d.volumeSource("root"));
        assertEquals(Optional.of(dvm.volumes().get("private").vid()), d.volumeSource("private"));
    }

    @Test
    void firewallRulesParseAndPrintInServerOrder() {
        FirewallRule r = FirewallRule.parse("action=drop proto=tcp dsthost=1.2.3.4 dstports=443 comment=no web here");
        assertEquals("action=drop dst4=1.2.3.4/32 proto=tcp dstports=443-443 comment=no web here", r.toApiString());
        assertEquals("action=accept dsthost=example.com specialtarget=dns",
                FirewallRule.parse("specialtarget=dns dsthost=example.com action=accept").toApiString());
        assertThrows(QubesValueError.class, () -> FirewallRule.parse("action=drop dstports=80"));
        assertThrows(QubesValueError.class, () -> FirewallRule.parse("action=maybe"));
        assertThrows(QubesValueError.class, () -> FirewallRule.parse("proto=tcp"));
        assertThrows(QubesValueError.class, () -> FirewallRule.parse("action=accept dst4=300.1.1.1"));
        assertThrows(QubesValueError.class, () -> FirewallRule.parse("action=accept proto=icmp icmptype=256"));
    }
}
