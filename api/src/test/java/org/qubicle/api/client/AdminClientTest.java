package org.qubicle.api.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesNoSuchPropertyError;
import org.qubicle.model.exc.QubesVMNotFoundError;
import org.qubicle.model.exc.QubesValueError;

class AdminClientTest {
    @TempDir
    Path dir;
    ReplayServer server;
    AdminClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ReplayServer(dir);
        client = new AdminClient(server.socket);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void sendsHeaderAndPayloadThenHalfCloses() {
        server.answer("0\0");
        byte[] value = client.call("work", "admin.vm.property.Set", "memory",
                "600".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, value.length);
        assertEquals("admin.vm.property.Set+memory dom0 name work\u0000600", server.request(0));
    }

    @Test
    void emptyArgumentStillHasPlus() {
        server.answer("0\0dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000\n");
        String list = client.callText("dom0", "admin.vm.List", null, null);
        assertEquals("admin.vm.List+ dom0 name dom0\0", server.request(0));
        assertEquals("dom0", QubeEntry.parseList(list).getFirst().name());
        assertEquals("Running", QubeEntry.parseList(list).getFirst().state());
    }

    @Test
    void payloadIsBinary() {
        server.answer(new byte[] {'0', 0, 1, 0, (byte) 0xff});
        byte[] value = client.call("dom0", "admin.x", null, new byte[] {0, 1, 2});
        assertArrayEquals(new byte[] {1, 0, (byte) 0xff}, value);
        byte[] req = server.requests.getFirst();
        assertArrayEquals(new byte[] {0, 1, 2}, java.util.Arrays.copyOfRange(req, req.length - 3, req.length));
    }

    @Test
    void exceptionFrameBecomesNamedClassWithPercentUnescaped() {
        server.answer("2\0QubesVMNotFoundError\0\0No such domain: 'x' 100%% sure\0");
        QubesVMNotFoundError e = assertThrows(QubesVMNotFoundError.class,
                () -> client.call("x", "admin.vm.List", null, null));
        assertEquals("No such domain: 'x' 100% sure", e.getMessage());
    }

    @Test
    void protocolErrorAndPermissionDeniedKeepPercent() {
        server.answer("2\0ProtocolError\0\0bad 50%%\0");
        server.answer("2\0PermissionDenied\0\0no %% way\0");
        assertEquals("bad 50%%", assertThrows(ProtocolError.class,
                () -> client.call("dom0", "admin.a", null, null)).getMessage());
        assertEquals("no %% way", assertThrows(PermissionDenied.class,
                () -> client.call("dom0", "admin.a", null, null)).getMessage());
    }

    @Test
    void unknownOrBuiltinNameFallsBackToQubesException() {
        server.answer("2\0KeyError\0\0'x'\0");
        server.answer("2\0QubesSomethingNewError\0\0bad label\0");
        RuntimeException a = assertThrows(RuntimeException.class,
                () -> client.call("dom0", "admin.a", null, null));
        assertEquals(QubesException.class, a.getClass());
        RuntimeException b = assertThrows(RuntimeException.class,
                () -> client.call("dom0", "admin.a", null, null));
        assertEquals(QubesException.class, b.getClass());
        assertEquals("bad label", b.getMessage());
    }

    @Test
    void subclassesKeepTheirType() {
        server.answer("2\0QubesNoSuchPropertyError\0\0Invalid property 'foo' of work\0");
        QubesException e = assertThrows(QubesException.class,
                () -> client.call("work", "admin.vm.property.Get", "foo", null));
        assertInstanceOf(QubesNoSuchPropertyError.class, e);
    }

    @Test
    void emptyResponseIsAccessError() {
        server.answer(new byte[0]);
        QubesDaemonAccessError e = assertThrows(QubesDaemonAccessError.class,
                () -> client.call("dom0", "admin.a", null, null));
        assertTrue(e.getMessage().startsWith("Got empty response from qubesd"));
    }

    @Test
    void garbageAndTruncatedFramesAreCommunicationErrors() {
        server.answer("9\0what");
        server.answer("2\0QubesException\0\0no final nul");
        server.answer("0");
        for (int i = 0; i < 3; i++) {
            assertThrows(QubesDaemonCommunicationError.class,
                    () -> client.call("dom0", "admin.a", null, null));
        }
    }

    @Test
    void noDaemonIsCommunicationError() {
        AdminClient nobody = new AdminClient(dir.resolve("nothing.sock"));
        QubesDaemonCommunicationError e = assertThrows(QubesDaemonCommunicationError.class,
                () -> nobody.call("dom0", "admin.a", null, null));
        assertTrue(e.getMessage().startsWith("Failed to connect to qubesd service"));
    }

    @Test
    void headerFieldsMustNotBreakFraming() {
        assertThrows(QubesValueError.class, () -> client.call("a b", "admin.a", null, null));
        assertThrows(QubesValueError.class, () -> client.call("dom0", "admin.a", "x\0y", null));
        assertThrows(QubesValueError.class, () -> client.call("", "admin.a", null, null));
    }

    @Test
    void rootComesFromPropertyThenEnvironment() {
        String old = System.getProperty("qubicle.root");
        try {
            System.setProperty("qubicle.root", dir.toString());
            assertEquals(dir.resolve("var/run/qubesd.sock"), AdminClient.local().socket());
        } finally {
            if (old == null) {
                System.clearProperty("qubicle.root");
            } else {
                System.setProperty("qubicle.root", old);
            }
        }
    }

    @Test
    void eventStreamParsesFrames() throws Exception {
        server.answer("1\0\0connection-established\0\0"
                + "1\0work\0property-set:netvm\0name\0netvm\0newvalue\0sys-net\0\0"
                + "1\0\0domain-add\0vm\0new\0\0");
        try (EventStream events = client.events("dom0")) {
            Event first = events.next();
            assertEquals("", first.subject());
            assertEquals("connection-established", first.name());
            Event second = events.next();
            assertEquals("work", second.subject());
            assertEquals("property-set:netvm", second.name());
            assertEquals("sys-net", second.kwargs().get("newvalue"));
            assertEquals("new", events.next().kwargs().get("vm"));
            assertNull(events.next());
        }
        assertEquals("admin.Events+ dom0 name dom0\0", server.request(0));
    }

    @Test
    void eventStreamRejectsNonEventsAndTruncation() throws Exception {
        server.answer("0\0x\0");
        try (EventStream events = client.events("dom0")) {
            assertThrows(QubesDaemonCommunicationError.class, events::next);
        }
        server.answer("1\0work\0domain-start\0start_guid\0");
        try (EventStream events = client.events("dom0")) {
            assertThrows(QubesDaemonCommunicationError.class, events::next);
        }
        server.answer("2\0QubesVMNotFoundError\0\0No such domain: 'x'\0");
        try (EventStream events = client.events("x")) {
            assertThrows(QubesVMNotFoundError.class, events::next);
        }
    }
}
