package org.qubicle.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.CreateRequest;
import org.qubicle.model.HostInfo;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.firewall.FirewallRule;

class QubesStoreTest {
    private static final HostInfo HOST = new HostInfo(8192, 2, "bwrap", Set.of("bwrap"));

    @TempDir
    Path root;

    @Test
    void aFreshRootHoldsOnlyDom0() throws IOException {
        Qubes app = new QubesStore(root).loadOrCreate(HOST);
        assertEquals(List.of("dom0"), app.qubes().stream().map(Qube::name).toList());
        assertTrue(Files.exists(root.resolve("var/lib/qubes/qubes.xml")));
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("var/lib/qubes/qubes.xml"))));
    }

    @Test
    void everythingSurvivesASaveAndLoad() throws IOException {
        QubesStore store = new QubesStore(root);
        Qubes app = store.loadOrCreate(HOST);
        app.create(CreateRequest.of(QubeClass.TEMPLATE_VM, "debian-12", "black", null));
        Qube work = app.create(CreateRequest.of(QubeClass.APP_VM, "work", "blue", "debian-12"));
        work.set("memory", "1234");
        work.set("netvm", "");
        work.set("kernelopts", "a <b> & \"c\"");
        work.features().set("service.cups", "");
        work.tags().add("managed");
        work.setNotes("my notes\nline two ünïcode");
        work.setFirewall(List.of(FirewallRule.parse("action=accept dsthost=example.com proto=tcp dstports=443"),
                FirewallRule.parse("action=drop comment=the rest")));
        app.labels().create("pink", "0xff00ff");
        app.globals().set("default_template", "debian-12");
        store.save(app);
        byte[] first = Files.readAllBytes(store.xmlPath());

        QubesStore again = new QubesStore(root);
        Qubes loaded = again.load(HOST);
        Qube w = loaded.find("work").orElseThrow();
        assertEquals("default=False type=int 1234", w.get("memory").toApiString());
        assertEquals("default=False type=vm ", w.get("netvm").toApiString());
        assertEquals("a <b> & \"c\"", w.get("kernelopts").text());
        assertEquals("", w.features().get("service.cups"));
        assertTrue(w.tags().contains("managed"));
        assertEquals(work.uuid(), w.uuid());
        assertEquals("my notes\nline two ünïcode", w.notes());
        assertEquals(work.firewall(), w.firewall());
        assertEquals("0xff00ff", loaded.labels().get("pink").color());
        assertEquals(work.volumes(), w.volumes());
        again.save(loaded);
        assertArrayEquals(first, Files.readAllBytes(again.xmlPath()));
    }

    @Test
    void removedQubesLoseTheirFiles() throws IOException {
        QubesStore store = new QubesStore(root);
        Qubes app = store.loadOrCreate(HOST);
        app.create(CreateRequest.of(QubeClass.STANDALONE_VM, "solo", "red", null)).setNotes("x");
        store.save(app);
        Path dir = root.resolve("var/lib/qubes/appvms/solo");
        assertTrue(Files.exists(dir.resolve("notes.txt")));
        app.remove(app.find("solo").orElseThrow());
        store.save(app);
        assertFalse(Files.exists(dir));
    }

    @Test
    void aRealQubesXmlLoads() throws IOException {
        Path xml = root.resolve("var/lib/qubes/qubes.xml");
        Files.createDirectories(xml.getParent());
        try (var in = getClass().getResourceAsStream("/qubes-r4.2.xml")) {
            Files.write(xml, in.readAllBytes());
        }
        Qubes app = new QubesStore(root).load(HOST);
        assertEquals("0x555555", app.labels().get("gray").color());
        Qube net = app.find("sys-net").orElseThrow();
        assertEquals("hvm", net.get("virt_mode").text());
        assertEquals("default=False type=vm ", net.get("netvm").toApiString());
        assertEquals("red", net.get("label").text());
        assertEquals("pv", app.find("fedora-40-xfce").orElseThrow().get("virt_mode").text());
        assertEquals("True", app.find("default-mgmt-dvm").orElseThrow().get("template_for_dispvms").text());
        assertEquals("sys-firewall", app.find("default-dvm").orElseThrow().get("netvm").text());
        assertEquals("vm-pool", app.globals().get("default_pool").text());
        assertEquals("Linux", app.find("sys-firewall").orElseThrow().features().checkWithTemplate("os").orElseThrow());
        assertEquals("thin_pool=vm-pool", "thin_pool=" + app.pools().get("vm-pool").config().get("thin_pool"));
        assertEquals("dom0", app.adminVm().name());
    }

    @Test
    void aCorruptFileIsAClearError() throws IOException {
        Path xml = root.resolve("var/lib/qubes/qubes.xml");
        Files.createDirectories(xml.getParent());
        Files.writeString(xml, "<qubes><domains><domain class=\"Bogus\"/></domains></qubes>");
        IOException e = assertThrows(IOException.class, () -> new QubesStore(root).load(HOST));
        assertTrue(e.getMessage().contains("Bogus"), e.getMessage());
        Files.writeString(xml, "<qubes><labels>");
        assertThrows(IOException.class, () -> new QubesStore(root).load(HOST));
        Files.writeString(xml, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><qubes>&e;</qubes>");
        assertThrows(IOException.class, () -> new QubesStore(root).load(HOST));
    }
}
