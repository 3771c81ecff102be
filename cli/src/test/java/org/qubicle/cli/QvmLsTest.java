package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QvmLsTest extends ToolTestBase {
    @Test
    void defaultTableMatchesQubesLayout() {
        Result r = run(new QvmLs());
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                NAME      STATE    CLASS       LABEL   TEMPLATE  NETVM
                dom0      Running  AdminVM     black   -         -
                fedora    Halted   TemplateVM  black   -         -
                personal  Paused   AppVM       yellow  fedora    sys-net
                sys-net   Running  AppVM       red     fedora    -
                work      Halted   AppVM       blue    fedora    sys-net
                """, r.out());
        // One vm.List and one GetAll per qube, nothing else.
        assertEquals(6, daemon.calls().size());
        assertTrue(daemon.calls().contains("dom0 admin.vm.List+"));
        assertTrue(daemon.calls().contains("work admin.vm.property.GetAll+"));
    }

    @Test
    void rawListAndRawData() {
        assertEquals("dom0\nfedora\npersonal\nsys-net\nwork\n", run(new QvmLs(), "--raw-list").out());
        assertEquals("work|Halted|-|3\n",
                run(new QvmLs(), "--raw-data", "--fields", "name,state,memory,qid", "work").out());
    }

    @Test
    void stateAndClassFilters() {
        assertEquals("dom0\nsys-net\n", run(new QvmLs(), "--raw-list", "--running").out());
        assertEquals("personal\nsys-net\ndom0\n".lines().sorted().map(s -> s + "\n")
                .reduce("", String::concat), run(new QvmLs(), "--raw-list", "--running", "--paused").out());
        assertEquals("fedora\nwork\n", run(new QvmLs(), "--raw-list", "--halted").out());
        assertEquals("fedora\n", run(new QvmLs(), "--raw-list", "--class", "TemplateVM").out());
        assertEquals("personal\nwork\n", run(new QvmLs(), "--raw-list", "--all", "--exclude", "sys-net",
                "--exclude", "dom0", "--exclude", "fedora").out());
    }

    @Test
    void wildcardsAndUnknownQube() {
        assertEquals("personal\nsys-net\n", run(new QvmLs(), "--raw-list", "*s*-*", "p*").out()
                .lines().sorted().map(s -> s + "\n").reduce("", String::concat));
        Result r = run(new QvmLs(), "nosuch");
        assertEquals(2, r.code());
        assertTrue(r.err().endsWith("qvm-ls: error: no such domain: 'nosuch'\n"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void fieldsFlagsAndSort() {
        Result r = run(new QvmLs(), "-O", "name,flags,qid,gateway", "--sort", "qid", "--reverse",
                "sys-net", "work", "dom0");
        assertEquals("""
                NAME     FLAGS     QID  GATEWAY
                work     a-------  3    10.138.0.1
                sys-net  ar-N----  2    -
                dom0     0r------  0    -
                """, r.out());
    }

    @Test
    void jsonOutput() {
        Result r = run(new QvmLs(), "--json", "--fields", "name,kernelopts,template", "work", "fedora");
        assertEquals("""
                [
                  {"name": "fedora", "kernelopts": null, "template": null},
                  {"name": "work", "kernelopts": "a\\nb", "template": "fedora"}
                ]
                """, r.out());
    }

    @Test
    void treeShowsNetworkChildren() {
        Result r = run(new QvmLs(), "--tree", "-O", "name");
        assertEquals("""
                NAME
                dom0
                fedora
                sys-net
                └─personal
                └─work
                """, r.out());
    }

    @Test
    void usageErrorsExitTwo() {
        Result r = run(new QvmLs(), "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("qvm-ls: error: Unknown option: '--bogus'"), r.err());
        assertEquals(2, run(new QvmLs(), "--format", "nope").code());
        assertEquals(2, run(new QvmLs(), "--format", "full", "--fields", "name").code());
    }

    @Test
    void helpDescribesEveryOption() {
        Result r = run(new QvmLs(), "--help");
        assertEquals(0, r.code());
        for (String opt : new String[] {"--raw-list", "--raw-data", "--fields", "--format", "--running",
            "--halted", "--paused", "--tags", "--exclude", "--all", "--class", "--json"}) {
            assertTrue(r.out().contains(opt), opt);
        }
        assertEquals(0, run(new QvmLs(), "--help-formats").code());
    }

    @Test
    void daemonDownIsRuntimeError() throws Exception {
        daemon.close();
        Result r = run(new QvmLs());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("qvm-ls: error: Failed to connect to qubesd service"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace without --verbose");
        r = run(new QvmLs(), "-v", "--verbose");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat org.qubicle.api.client.AdminClient"), r.err());
    }
}
