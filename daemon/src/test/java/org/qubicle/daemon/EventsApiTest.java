package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** admin.Events through the socket. */
class EventsApiTest extends ApiTestBase {
    /** Reads frames until one named {@code name} (skipping others), at most 100. */
    private static RawClient.Event until(RawClient.EventStream s, String name) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            RawClient.Event e = s.next();
            if (e.name().equals(name)) {
                return e;
            }
            seen.add(e.name());
        }
        throw new AssertionError("no " + name + " among " + seen);
    }

    @Test
    void dom0StreamSeesEverything() throws Exception {
        try (RawClient.EventStream s = client.events("dom0")) {
            RawClient.Event first = s.next();
            assertEquals(new RawClient.Event("", "connection-established", List.of()), first);
            ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=ev label=red");
            RawClient.Event add = until(s, "domain-add");
            assertEquals("", add.subject());
            assertEquals(List.of("vm=ev"), add.kwargs());
            ok("admin.vm.property.Set", "memory", "ev", "500");
            RawClient.Event set = until(s, "property-set:memory");
            assertEquals("ev", set.subject());
            assertTrue(set.kwargs().containsAll(List.of("name=memory", "newvalue=500")), set.kwargs().toString());
            ok("admin.vm.property.Reset", "memory", "ev");
            assertEquals("ev", until(s, "property-reset:memory").subject());
            ok("admin.vm.feature.Set", "f1", "ev", "v");
            assertTrue(until(s, "domain-feature-set:f1").kwargs().contains("value=v"));
            ok("admin.vm.feature.Remove", "f1", "ev");
            until(s, "domain-feature-delete:f1");
            ok("admin.vm.tag.Set", "t1", "ev");
            assertTrue(until(s, "domain-tag-add:t1").kwargs().contains("tag=t1"));
            ok("admin.vm.tag.Remove", "t1", "ev");
            until(s, "domain-tag-delete:t1");
            ok("admin.vm.firewall.Reload", "", "ev");
            assertEquals("ev", until(s, "firewall-changed").subject());
            ok("admin.property.Set", "default_qrexec_timeout", "dom0", "33");
            assertEquals("", until(s, "property-set:default_qrexec_timeout").subject());
            ok("admin.vm.Remove", "", "ev");
            assertEquals(List.of("vm=ev"), until(s, "domain-delete").kwargs());
        }
    }

    @Test
    void qubeStreamSeesOnlyThatQube() throws Exception {
        createBasics();
        try (RawClient.EventStream s = client.events("work")) {
            assertEquals("connection-established", s.next().name());
            ok("admin.vm.property.Set", "memory", "alone", "500");
            ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=ev2 label=red");
            ok("admin.vm.property.Set", "memory", "work", "501");
            // Nothing of alone or of the new qube arrives: the next frame is already work's.
            RawClient.Event e = s.next();
            assertEquals("work", e.subject());
            assertEquals("property-pre-set:memory", e.name());
            assertEquals("work", until(s, "property-set:memory").subject());
        }
    }

    @Test
    void manyStreamsAndClosedClientsDoNotDisturbCalls() throws Exception {
        List<RawClient.EventStream> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RawClient.EventStream s = client.events("dom0");
            assertEquals("connection-established", s.next().name());
            streams.add(s);
        }
        for (int i = 0; i < 10; i++) {
            streams.get(i).close();
        }
        for (int i = 0; i < 5; i++) {
            ok("admin.vm.feature.Set", "k" + i, "dom0", "v");
        }
        for (int i = 10; i < 20; i++) {
            for (int k = 0; k < 5; k++) {
                assertEquals("domain-feature-set:k" + k, until(streams.get(i), "domain-feature-set:k" + k).name());
            }
            streams.get(i).close();
        }
    }
}
