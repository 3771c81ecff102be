package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qubicle.policy.Decision;
import org.qubicle.policy.Request;
import org.qubicle.policy.ask.AskRequest;

/**
 * Admin calls made by qubes (as qrexec forwards them: the calling qube in the header's source),
 * checked and filtered by the qrexec policy, through the real socket.
 */
class AdminPolicyApiTest extends ApiTestBase {

    private RawClient.Reply as(String source, String method, String arg, String dest) throws IOException {
        return client.call(source, method, arg, dest, "");
    }

    private String okAs(String source, String method, String arg, String dest) throws IOException {
        RawClient.Reply r = as(source, method, arg, dest);
        return assertInstanceOf(RawClient.Reply.Ok.class, r, () -> source + " " + method + " " + dest + ": " + r).value();
    }

    private void deniedAs(String source, String method, String arg, String dest) throws IOException {
        RawClient.Reply r = as(source, method, arg, dest);
        RawClient.Reply.Error e = assertInstanceOf(RawClient.Reply.Error.class, r,
                () -> source + " " + method + " " + dest + ": " + r);
        assertEquals("PermissionDenied", e.type(), e.message());
    }

    private void writePolicy(String name, String text) throws IOException {
        Files.writeString(root.resolve("etc/qubes/policy.d").resolve(name), text);
    }

    private void qubes() throws IOException {
        ok("admin.vm.Create.TemplateVM", "", "dom0", "name=tpl label=black");
        for (String q : List.of("mgmt", "work", "personal")) {
            ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=" + q + " label=blue");
        }
        ok("admin.vm.tag.Set", "managed", "work");
    }

    private static List<String> names(String vmList) {
        return vmList.lines().map(l -> l.split(" ")[0]).toList();
    }

    static final String MGMT_POLICY = """
            admin.vm.List          * mgmt @adminvm     allow target=dom0
            admin.vm.List          * mgmt @tag:managed allow target=dom0
            admin.vm.property.Get  * mgmt @tag:managed allow target=dom0
            admin.Events           * mgmt @adminvm     allow target=dom0
            admin.Events           * mgmt @tag:managed allow target=dom0
            """;

    @Test
    void theDefaultPolicyDeniesEveryAdminCallFromAQube() throws IOException {
        qubes();
        Path dir = root.resolve("etc/qubes/policy.d");
        assertTrue(Files.readString(dir.resolve("90-admin-default.policy"))
                .contains("!include-service admin.vm.property.Set * include/admin-local-rwx\n"));
        assertTrue(Files.exists(dir.resolve("include/admin-global-ro")));
        assertTrue(Files.exists(dir.resolve("90-admin-policy-default.policy")));
        byte[] before = xml();
        deniedAs("mgmt", "admin.vm.List", "", "dom0");
        deniedAs("mgmt", "admin.vm.List", "", "work");
        deniedAs("mgmt", "admin.vm.property.Set", "label", "work");
        deniedAs("work", "admin.vm.tag.Set", "x", "work");
        deniedAs("work", "policy.List", "", "dom0");
        deniedAs("work", "policy.Replace", "30-evil", "dom0");
        assertXmlUnchanged(before);
        // dom0 itself is never asked about.
        assertEquals(List.of("dom0", "mgmt", "personal", "tpl", "work"), names(ok("admin.vm.List", "", "dom0")));
    }

    @Test
    void aQubeAllowedOnlyManagedQubesSeesOnlyThose() throws IOException {
        qubes();
        writePolicy("30-mgmt.policy", MGMT_POLICY);
        // dom0 is listed too, since the same policy allows admin.vm.List from mgmt to @adminvm
        // (upstream's filter evaluates dom0 like every other qube).
        assertEquals(List.of("dom0", "work"), names(okAs("mgmt", "admin.vm.List", "", "dom0")));
        assertEquals(List.of("work"), names(okAs("mgmt", "admin.vm.List", "", "work")));
        deniedAs("mgmt", "admin.vm.List", "", "personal");
        assertTrue(okAs("mgmt", "admin.vm.property.Get", "label", "work").endsWith(" blue"));
        deniedAs("mgmt", "admin.vm.property.Get", "label", "personal");
        deniedAs("mgmt", "admin.vm.property.GetAll", "", "work");
        deniedAs("mgmt", "admin.vm.property.GetAllOfAll", "", "dom0");
        writePolicy("30-all.policy", "admin.vm.property.GetAllOfAll * mgmt @adminvm allow target=dom0\n"
                + "admin.vm.property.GetAllOfAll * mgmt @tag:managed allow target=dom0\n");
        String all = okAs("mgmt", "admin.vm.property.GetAllOfAll", "", "dom0");
        assertTrue(all.startsWith("dom0 ") && all.contains("\nwork ") && !all.contains("personal "), all);
        Files.delete(root.resolve("etc/qubes/policy.d/30-all.policy"));
        deniedAs("personal", "admin.vm.List", "", "dom0");
        // A new tag shows at once (the policy's view of the system follows the events)...
        ok("admin.vm.tag.Set", "managed", "personal");
        assertEquals(List.of("dom0", "personal", "work"), names(okAs("mgmt", "admin.vm.List", "", "dom0")));
        // ... and so does a policy change, without a restart.
        writePolicy("30-mgmt.policy", MGMT_POLICY.replace("admin.vm.List          * mgmt @tag:managed allow target=dom0\n", ""));
        assertEquals(List.of("dom0"), names(okAs("mgmt", "admin.vm.List", "", "dom0")));
        // An ask rule is not an allow here: the admin layer never prompts.
        writePolicy("30-mgmt.policy", "admin.vm.List * mgmt @adminvm ask default_target=dom0\n");
        deniedAs("mgmt", "admin.vm.List", "", "dom0");
    }

    @Test
    void eventsAreFilteredByThePolicy() throws Exception {
        qubes();
        writePolicy("30-mgmt.policy", MGMT_POLICY);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.paths().adminSocket()));
            ch.write(ByteBuffer.wrap("admin.Events+ mgmt name dom0\0".getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            RawClient.EventStream ev = new RawClient.EventStream(ch);
            assertEquals("connection-established", ev.next().name());
            ok("admin.vm.property.Set", "label", "personal", "red");
            ok("admin.vm.feature.Set", "x", "personal", "1");
            ok("admin.vm.property.Set", "label", "work", "red");
            // Everything about personal was held back; the first event seen is about work.
            RawClient.Event e = ev.next();
            assertEquals("work", e.subject(), e.toString());
            assertEquals("property-pre-set:label", e.name());
            while (!e.name().equals("property-set:label")) {
                e = ev.next();
                assertEquals("work", e.subject(), e.toString());
            }
            // A global event about a qube the caller may not see is held back too.
            ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=other label=red");
            ok("admin.vm.tag.Set", "managed", "other");
            ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=other2 label=red");
            ok("admin.vm.feature.Set", "y", "work", "1");
            List<String> seen = new java.util.ArrayList<>();
            do {
                e = ev.next();
                seen.add(e.subject() + " " + e.name());
            } while (!e.name().equals("domain-feature-set:y"));
            assertTrue(seen.contains("other domain-tag-add:managed"), seen.toString());
            assertFalse(seen.stream().anyMatch(s -> s.contains("other2")), seen.toString());
            assertFalse(seen.stream().anyMatch(s -> s.startsWith("personal")), seen.toString());
        }
    }

    @Test
    void policyFilesThroughTheApi() throws IOException {
        qubes();
        assertTrue(ok("policy.List", "", "dom0").contains("90-admin-default\n"));
        assertEquals("admin-global-ro\nadmin-global-rwx\nadmin-local-ro\nadmin-local-rwx\nadmin-policy-ro\nadmin-policy-rwx\n",
                ok("policy.include.List", "", "dom0"));
        ok("policy.Replace", "30-user", "dom0", "new\nqubes.Test * work personal allow\n");
        String got = ok("policy.Get", "30-user", "dom0");
        String token = got.substring(0, got.indexOf('\n'));
        assertTrue(token.matches("sha256:[0-9a-f]{64}"), token);
        assertEquals("qubes.Test * work personal allow\n", got.substring(got.indexOf('\n') + 1));
        // Two editors hold the same token; the second one's Replace is refused.
        ok("policy.Replace", "30-user", "dom0", token + "\nqubes.Test * work personal deny\n");
        err("PolicyAdminTokenException", "policy.Replace", "30-user", "dom0", token + "\nqubes.Test * @anyvm @anyvm allow\n");
        err("PolicyAdminTokenException", "policy.Replace", "30-user", "dom0", "new\n");
        err("PolicyAdminProtocolException", "policy.Replace", "30-user", "dom0", "bogus\n");
        err("PolicyAdminProtocolException", "policy.Replace", "30-user", "dom0", "");
        // A '/' is not even a valid qrexec argument; '..' is not a valid name.
        err("PolicyAdminProtocolException", "policy.Get", "../../../etc/passwd", "dom0");
        err("PolicyAdminInvalidFileNameException", "policy.include.Get", "..", "dom0");
        err("PolicyAdminProtocolException", "policy.Replace", "a/b", "dom0", "any\n");
        err("PolicyAdminInvalidFileNameException", "policy.Replace", "x.y", "dom0", "any\n");
        err("PolicyAdminFileNotFoundException", "policy.Get", "nosuch", "dom0");
        String msg = err("PolicyAdminSyntaxException", "policy.Replace", "30-user", "dom0",
                "any\nqubes.Test * work personal allow target=@anyvm\n");
        assertTrue(msg.contains("30-user.policy:1"), msg);
        assertEquals("qubes.Test * work personal deny\n",
                Files.readString(root.resolve("etc/qubes/policy.d/30-user.policy")));
        err("PolicyAdminSyntaxException", "policy.include.Remove", "admin-local-rwx", "dom0", "any");
        err("ProtocolError", "policy.List", "", "work");
        ok("policy.Remove", "30-user", "dom0", "any");
        assertFalse(Files.exists(root.resolve("etc/qubes/policy.d/30-user.policy")));
    }

    @Test
    void aPolicyChangeThroughTheApiAppliesToTheNextCall() throws IOException {
        qubes();
        Request call = Request.of("work", "personal", "qubes.Test+x");
        assertInstanceOf(Decision.Denied.class, evaluate(call));
        ok("policy.Replace", "30-user", "dom0", "new\nqubes.Test * work personal allow\n");
        assertInstanceOf(Decision.Allowed.class, evaluate(call));
        ok("policy.Replace", "30-user", "dom0", "any\nqubes.Test * work @anyvm ask default_target=personal\n");
        Decision.AskUser ask = assertInstanceOf(Decision.AskUser.class, evaluate(call));
        assertEquals("personal", ask.defaultTarget());
        assertTrue(ask.targets().contains("personal") && !ask.targets().contains("work"), ask.targets().toString());
    }

    private Decision evaluate(Request r) {
        return daemon.policy().evaluate(r);
    }

    @Test
    void askWithoutAnAgentIsDeniedWithAnEvent() throws Exception {
        qubes();
        try (RawClient.EventStream ev = client.events("dom0")) {
            assertEquals("connection-established", ev.next().name());
            Optional<String> pick = daemon.policy().askAgent().ask(
                    new AskRequest("work", "blue", "qubes.Filecopy", "", List.of("personal"), null));
            assertEquals(Optional.empty(), pick);
            RawClient.Event e = ev.next();
            assertEquals("work", e.subject());
            assertEquals("policy-ask-no-agent", e.name());
            assertEquals(List.of("service=qubes.Filecopy"), e.kwargs());
        }
    }

    @Test
    void resolveAskWithoutAnAgentIsARefusal() throws IOException {
        qubes();
        ok("policy.Replace", "30-user", "dom0", "new\nqubes.Test * work @anyvm ask default_target=personal\n");
        Request call = Request.of("work", "personal", "qubes.Test");
        Decision.AskUser ask = assertInstanceOf(Decision.AskUser.class, daemon.policy().evaluate(call));
        Decision.Denied d = assertInstanceOf(Decision.Denied.class, daemon.policy().resolveAsk(call, ask));
        assertEquals(Decision.DenyReason.REFUSED, d.reason());
        assertTrue(d.notifyUser());
    }
}
