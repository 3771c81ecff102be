package org.qubicle.daemon.qrexec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.api.client.AdminClient;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesTestRoot;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;

/**
 * A management qube makes Admin API calls through qrexec ({@code qrexec-client-vm dom0
 * admin.vm.List}) in a real qube: the policy decides, and the answer is filtered to the qubes
 * the policy lets it see (issue 4 part 6). Run as root with {@code -Dqubicle.integration=true}.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class AdminViaQrexecIntegrationTest {
    QubesTestRoot qubes;
    Path root;
    Daemon daemon;
    AdminClient admin;

    @BeforeEach
    void setUp() throws Exception {
        qubes = QubesTestRoot.start("qubicle-adminq");
        root = qubes.root();
        daemon = qubes.daemon();
        admin = qubes.admin();
        qubes.busyboxTemplate("qamin");
        for (String q : List.of("qamgmt", "qawork", "qaother")) {
            admin.callText("dom0", "admin.vm.Create.AppVM", "qamin", "name=" + q + " label=blue");
            admin.callText(q, "admin.vm.property.Set", "memory", "200");
        }
        admin.callText("qawork", "admin.vm.tag.Set", "managed", null);
    }

    @AfterEach
    void tearDown() throws IOException {
        qubes.close();
    }

    record Result(String out, int code) {
    }

    private Result inMgmt(String... cmd) throws Exception {
        RunningQube rq = daemon.lifecycle().handle("qamgmt").orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of("user", cmd))) {
            p.stdin().close();
            Thread.ofVirtual().start(() -> {
                try {
                    p.stderr().readAllBytes();
                } catch (IOException e) {
                    // ignored
                }
            });
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(out, p.waitFor());
        }
    }

    @Test
    void aManagementQubeSeesOnlyTheQubesThePolicyGivesIt() throws Exception {
        admin.callText("qamgmt", "admin.vm.Start", "", null);
        // Default policy: refused by qrexec before qubesd sees it.
        assertEquals(126, inMgmt("qrexec-client-vm", "dom0", "admin.vm.List").code());
        // The user grants mgmt the listing of managed qubes, through the Policy Admin API.
        admin.callText("dom0", "policy.Replace", "30-mgmt", """
                new
                admin.vm.List * qamgmt @adminvm     allow target=dom0
                admin.vm.List * qamgmt @tag:managed allow target=dom0
                admin.vm.property.Get * qamgmt @tag:managed allow target=dom0
                """);
        Result r = inMgmt("qrexec-client-vm", "dom0", "admin.vm.List");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("0\0"), r.out());
        List<String> names = r.out().substring(2).lines().map(l -> l.split(" ")[0]).toList();
        assertEquals(List.of("dom0", "qawork"), names);
        r = inMgmt("qrexec-client-vm", "qawork", "admin.vm.property.Get+label");
        assertEquals(new Result("0\0default=False type=label blue", 0), r);
        assertEquals(126, inMgmt("qrexec-client-vm", "qaother", "admin.vm.property.Get+label").code());
        // Tagging another qube shows it at the next call.
        admin.callText("qaother", "admin.vm.tag.Set", "managed", null);
        r = inMgmt("qrexec-client-vm", "dom0", "admin.vm.List");
        assertEquals(List.of("dom0", "qaother", "qawork"),
                r.out().substring(2).lines().map(l -> l.split(" ")[0]).toList());
    }

    @Test
    void aManagementQubeChangesThePolicyOnlyOnceGranted() throws Exception {
        admin.callText("qamgmt", "admin.vm.Start", "", null);
        // Default policy (90-admin-policy-default.policy): the Policy Admin API is refused.
        assertEquals(126, inMgmt("qrexec-client-vm", "dom0", "policy.List").code());
        admin.callText("dom0", "policy.include.Replace", "admin-policy-rwx", "any\nqamgmt @adminvm allow target=dom0\n");
        Result list = inMgmt("qrexec-client-vm", "dom0", "policy.List");
        assertEquals(0, list.code());
        assertTrue(list.out().startsWith("0\0") && list.out().contains("90-default\n"), list.out());
        // Replace through the call's stdin, as qubes-policy does from a qube.
        Result r = inMgmt("sh", "-c", "printf 'new\\ntest.Svc * qawork qaother allow\\n'"
                + " | qrexec-client-vm dom0 policy.Replace+40-frommgmt");
        assertEquals(new Result("0\0", 0), r);
        assertEquals("test.Svc * qawork qaother allow\n",
                Files.readString(root.resolve("etc/qubes/policy.d/40-frommgmt.policy")));
        // A broken file is refused with the Policy Admin API's error, and nothing changes.
        r = inMgmt("sh", "-c", "printf 'any\\ntest.Svc * qawork\\n' | qrexec-client-vm dom0 policy.Replace+40-frommgmt");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("2\0"), r.out());
        assertEquals("test.Svc * qawork qaother allow\n",
                Files.readString(root.resolve("etc/qubes/policy.d/40-frommgmt.policy")));
    }

    @Test
    void aManagementQubeFollowsTheEventsOfTheQubesItMaySee() throws Exception {
        admin.callText("qamgmt", "admin.vm.Start", "", null);
        assertEquals(126, inMgmt("qrexec-client-vm", "dom0", "admin.Events").code());
        admin.callText("dom0", "policy.Replace", "30-events", """
                new
                admin.Events * qamgmt @adminvm     allow target=dom0
                admin.Events * qamgmt @tag:managed allow target=dom0
                """);
        RunningQube rq = daemon.lifecycle().handle("qamgmt").orElseThrow();
        QubeProcess p = daemon.lifecycle().driver().exec(rq, ExecSpec.of("user", "qrexec-client-vm", "dom0", "admin.Events"));
        try {
            p.stdin().close();
            java.io.InputStream events = p.stdout();
            StringBuilder seen = new StringBuilder();
            readUntil(events, seen, "connection-established");
            admin.callText("qaother", "admin.vm.feature.Set", "hidden", "1");
            admin.callText("qawork", "admin.vm.feature.Set", "shown", "1");
            readUntil(events, seen, "domain-feature-set:shown");
            assertTrue(seen.toString().contains("qawork"), seen.toString());
            assertTrue(!seen.toString().contains("hidden") && !seen.toString().contains("qaother"),
                    "an event of a qube the policy hides: " + seen);
        } finally {
            p.kill();
            p.waitFor();
            p.close();
        }
    }

    private static void readUntil(java.io.InputStream in, StringBuilder seen, String what) throws IOException {
        byte[] buf = new byte[4096];
        while (!seen.toString().contains(what)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("the stream ended before " + what + ": " + seen);
            }
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
    }
}
