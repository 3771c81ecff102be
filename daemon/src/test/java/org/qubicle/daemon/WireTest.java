package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Framing and request checks, through the socket. */
class WireTest extends ApiTestBase {
    private byte[] raw(String s) throws Exception {
        return client.send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void framingErrorsGetNoAnswer() throws Exception {
        assertEquals(0, raw("admin.vm.List+ dom0 name dom0").length, "no NUL");
        assertEquals(0, raw("admin.vm.List+ dom0 dom0\0").length, "3 fields");
        assertEquals(0, raw("admin.vm.List+ dom0 uuid dom0\0").length, "bad dest type");
        assertEquals(0, raw("admin.vm.List+\u00ff dom0 name dom0\0").length, "non-ASCII");
        assertEquals(0, raw("").length, "empty");
        byte[] big = new byte[65_537];
        System.arraycopy("admin.vm.List+ dom0 name dom0\0".getBytes(StandardCharsets.US_ASCII), 0, big, 0, 30);
        assertEquals(0, client.send(big).length, "over 64 KiB");
        // and the daemon still serves
        assertTrue(ok("admin.vm.List", "", "dom0").startsWith("dom0 class=AdminVM state=Running uuid="));
    }

    @Test
    void exactly64KiBIsServed() throws Exception {
        String header = "admin.vm.List+ dom0 name dom0\0";
        byte[] max = new byte[65_536];
        System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, max, 0, header.length());
        assertEquals("2\0ProtocolError\0\0unexpected payload\0",
                new String(client.send(max), StandardCharsets.US_ASCII));
    }

    @Test
    void methodWithoutPlusAndKeywordAdminVm() throws Exception {
        assertTrue(new String(raw("admin.vm.List dom0 name dom0\0"), StandardCharsets.US_ASCII).startsWith("0\0dom0 class=AdminVM"));
        assertTrue(new String(raw("admin.vm.List+ dom0 keyword adminvm\0"), StandardCharsets.US_ASCII).startsWith("0\0dom0 class=AdminVM"));
    }

    @Test
    void unknownMethod() throws Exception {
        assertEquals("no such method: 'admin.vm.Frobnicate'", err("ProtocolError", "admin.vm.Frobnicate", "", "dom0"));
        assertEquals("no such method: 'admin.vm.Suspend'", err("ProtocolError", "admin.vm.Suspend", "", "dom0"));
    }

    @Test
    void shapeChecks() throws Exception {
        assertEquals("unexpected argument", err("ProtocolError", "admin.vm.List", "x", "dom0"));
        assertEquals("unexpected payload", err("ProtocolError", "admin.vm.List", "", "dom0", "x"));
        assertEquals("expected an argument", err("ProtocolError", "admin.vm.property.Get", "", "dom0"));
        assertEquals("expected payload", err("ProtocolError", "admin.label.Create", "pink", "dom0"));
    }

    @Test
    void destinationChecks() throws Exception {
        ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=alone label=red");
        assertEquals("expected destination to be AdminVM", err("ProtocolError", "admin.vmclass.List", "", "alone"));
        assertEquals("expected destination to be AdminVM", err("ProtocolError", "admin.property.Get", "default_netvm", "alone"));
        assertEquals("expected destination to not be AdminVM", err("ProtocolError", "admin.vm.notes.Get", "", "dom0"));
        assertEquals("expected destination to not be AdminVM", err("ProtocolError", "admin.vm.firewall.Get", "", "dom0"));
        assertEquals("No such domain: 'nosuch'", err("QubesVMNotFoundError", "admin.vm.List", "", "nosuch"));
        err("QubesVMNotFoundError", "admin.vm.List", "", "uuid:01234567-89ab-cdef-0123-456789abcdef");
        err("QubesVMInvalidUUIDError", "admin.vm.List", "", "uuid:zz");
        err("QubesValueError", "admin.vm.List", "", "-bad");
        RawClient.Reply r = client.call("nosuch", "admin.vm.List", "", "dom0", "");
        assertEquals("QubesVMNotFoundError", ((RawClient.Reply.Error) r).type());
        String list = ok("admin.vm.List", "", "alone");
        String uuid = list.substring(list.indexOf("uuid=") + 5).trim();
        assertEquals(list, ok("admin.vm.List", "", "uuid:" + uuid));
    }

    /**
     * The accepting thread answers complete short reads itself (QuickCalls); everything else,
     * a request that arrives in pieces, and a client that sends nothing, goes to a connection
     * thread and holds nobody up.
     */
    @Test
    void slowAndIdleClientsGetTheirAnswerAndHoldUpNobody() throws Exception {
        java.nio.file.Path sock = daemon.paths().adminSocket();
        try (java.nio.channels.SocketChannel idle = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(sock));
             java.nio.channels.SocketChannel slow = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(sock))) {
            // A quick method whose request comes in two pieces, long after the connect.
            Thread.sleep(50);
            slow.write(java.nio.ByteBuffer.wrap("admin.vm.property.Get+la".getBytes(StandardCharsets.US_ASCII)));
            // Meanwhile others are served, quick and not.
            assertTrue(new String(raw("admin.vm.List+ dom0 name dom0\0"), StandardCharsets.US_ASCII)
                    .startsWith("0\0dom0 class=AdminVM"));
            ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=work label=red");
            Thread.sleep(50);
            slow.write(java.nio.ByteBuffer.wrap("bel dom0 name work\0".getBytes(StandardCharsets.US_ASCII)));
            slow.shutdownOutput();
            assertEquals("0\0default=False type=label red",
                    new String(java.nio.channels.Channels.newInputStream(slow).readAllBytes(), StandardCharsets.US_ASCII));
            // The idle client is still waiting for its own answer, and has not blocked anyone.
            assertTrue(idle.isOpen());
        }
    }
}
