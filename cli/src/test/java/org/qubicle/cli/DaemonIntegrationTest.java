package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.api.client.AdminClient;

/**
 * Every tool against the real daemon, started as a process on a temporary root, with
 * good and bad input. The tests build on each other (a template, then qubes), in order.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonIntegrationTest {
    static Path root;
    static Process daemon;
    static Path log;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void startDaemon() throws Exception {
        try {
            Class.forName("org.qubicle.daemon.Qubesd");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("the daemon (org.qubicle.daemon.Qubesd) is not built yet");
        }
        root = Files.createTempDirectory("qubicle-cli-it");
        log = root.resolve("qubesd.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp, "org.qubicle.daemon.Qubesd");
        pb.environment().put("QUBES_ROOT", root.toString());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        daemon = pb.start();
        Path socket = root.resolve("var/run/qubesd.sock");
        for (int i = 0; i < 600 && !Files.exists(socket); i++) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("qubesd died: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        assertTrue(Files.exists(socket), "qubesd did not open its socket: " + Files.readString(log));
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    static Result run(QubesTool tool, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        tool.with(new Qubes(new AdminClient(root.resolve("var/run/qubesd.sock"))));
        int code = ToolRunner.execute(tool, args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static Result ok(QubesTool tool, String... args) {
        Result r = run(tool, args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + ": " + r.err() + log());
        return r;
    }

    static String log() {
        try {
            return "\nqubesd log:\n" + Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @Order(1)
    void freshSystemHasDom0() {
        assertEquals("dom0\n", ok(new QvmLs(), "--raw-list").out());
        assertEquals(0, run(new QvmCheck(), "dom0").code());
        assertEquals(1, run(new QvmCheck(), "-q", "nosuch").code());
    }

    @Test
    @Order(2)
    void createQubes() {
        ok(new QvmCreate(), "--class", "TemplateVM", "--label", "black", "tpl");
        ok(new QubesPrefs(), "default_template", "tpl");
        assertEquals("tpl\n", ok(new QubesPrefs(), "default_template").out());
        ok(new QvmCreate(), "-l", "red", "--prop", "provides_network=True", "net");
        ok(new QvmCreate(), "-l", "blue", "--prop", "netvm=net", "work");
        Result r = run(new QvmCreate(), "-l", "blue", "work");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Error creating VM"), r.err());
        assertEquals(2, run(new QvmCreate(), "-l", "nolabel", "x").code());
        assertEquals(1, run(new QvmCreate(), "-l", "red", "9bad").code());
        r = run(new QvmCreate(), "-l", "red", "--prop", "memory=lots", "mem");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Error setting property memory (but VM created)"), r.err());
    }

    @Test
    @Order(3)
    void listMatchesQubesFormat() {
        Result r = ok(new QvmLs());
        List<String> lines = r.out().lines().toList();
        assertEquals("NAME  STATE    CLASS       LABEL  TEMPLATE  NETVM", lines.get(0));
        assertTrue(lines.contains("work  Halted   AppVM       blue   tpl       net"), r.out());
        assertTrue(lines.contains("tpl   Halted   TemplateVM  black  -         -"), r.out());
        assertEquals("work\n", ok(new QvmLs(), "--raw-list", "--netvm-is", "net").out());
        assertEquals("tpl\n", ok(new QvmLs(), "--raw-list", "--class", "TemplateVM").out());
        assertEquals(2, run(new QvmLs(), "ghost").code());
        assertTrue(ok(new QvmLs(), "--json", "work").out().contains("\"netvm\": \"net\""));
    }

    @Test
    @Order(4)
    void prefsGoodAndBad() {
        ok(new QvmPrefs(), "work", "memory", "600");
        assertEquals("600\n", ok(new QvmPrefs(), "work", "memory").out());
        assertTrue(ok(new QvmPrefs(), "work").out().lines().anyMatch(l -> l.matches("memory +-  600")));
        Result r = run(new QvmPrefs(), "work", "memory", "lots");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("qvm-prefs: error: "), r.err());
        r = run(new QvmPrefs(), "work", "nosuchprop");
        assertEquals(2, r.code());
        assertTrue(r.err().endsWith("qvm-prefs: error: no such property: 'nosuchprop'\n"), r.err());
        assertEquals(2, run(new QvmPrefs(), "ghost", "memory").code());
        assertEquals(1, run(new QvmPrefs(), "work", "netvm", "ghost").code());
        ok(new QvmPrefs(), "work", "memory", "--default");
        assertTrue(ok(new QvmPrefs(), "work").out().lines().anyMatch(l -> l.matches("memory +D  .*")));
    }

    @Test
    @Order(5)
    void featuresServicesTagsNotes() {
        ok(new QvmFeatures(), "work", "gui", "1");
        assertEquals("1\n", ok(new QvmFeatures(), "work", "gui").out());
        assertEquals(1, run(new QvmFeatures(), "work", "absent").code());
        ok(new QvmFeatures(), "work", "gui", "-D");
        assertEquals(1, run(new QvmFeatures(), "work", "gui").code());
        ok(new QvmService(), "work", "cups", "on");
        assertEquals("on\n", ok(new QvmService(), "work", "cups").out());
        assertTrue(ok(new QvmService(), "work").out().contains("cups  on"));
        ok(new QvmTags(), "work", "add", "alpha", "beta");
        assertTrue(ok(new QvmTags(), "work").out().contains("alpha\nbeta\n"));
        assertEquals(1, run(new QvmTags(), "work", "list", "gamma").code());
        assertEquals(1, run(new QvmTags(), "work", "add", "bad!tag").code());
        ok(new QvmTags(), "work", "del", "alpha");
        ok(new QvmNotes(), "work", "--set", "hello 100% sure");
        assertEquals("hello 100% sure\n", ok(new QvmNotes(), "work", "--print").out());
    }

    @Test
    @Order(6)
    void firewall() {
        assertEquals("action=accept\n", ok(new QvmFirewall(), "work", "--raw").out());
        ok(new QvmFirewall(), "work", "add", "--before", "0", "action=drop", "dsthost=10.0.0.0/8");
        ok(new QvmFirewall(), "work", "add", "accept", "example.com", "tcp", "443");
        assertEquals("action=drop dst4=10.0.0.0/8\naction=accept\n"
                + "action=accept proto=tcp dsthost=example.com dstports=443-443\n",
                ok(new QvmFirewall(), "work", "--raw").out());
        assertEquals(2, run(new QvmFirewall(), "work", "add", "action=maybe").code());
        ok(new QvmFirewall(), "work", "del", "--rule-no", "0");
        ok(new QvmFirewall(), "work", "reset");
        assertEquals("action=accept\n", ok(new QvmFirewall(), "work", "--raw").out());
    }

    @Test
    @Order(7)
    void volumesAndPools() {
        Result r = ok(new QvmVolume(), "info", "work:private");
        assertTrue(r.out().contains("save_on_stop       True"), r.out());
        assertEquals(1, run(new QvmVolume(), "info", "work:nope").code());
        assertEquals(2, run(new QvmVolume(), "info", "work").code());
        assertTrue(ok(new QvmVolume(), "list", "work").out().startsWith("POOL:VOLUME"));
        assertTrue(ok(new QvmPool()).out().startsWith("NAME"));
        assertEquals(2, run(new QvmPool(), "info", "nosuchpool").code());
    }

    @Test
    @Order(9)
    @org.junit.jupiter.api.Timeout(120)
    void eventStreamSeesChanges() throws Exception {
        AdminClient client = new AdminClient(root.resolve("var/run/qubesd.sock"));
        try (var events = client.events("dom0")) {
            assertEquals("connection-established", events.next().name());
            ok(new QvmPrefs(), "work", "vcpus", "3");
            ok(new QvmCreate(), "-l", "green", "evq");
            boolean sawSet = false;
            boolean sawAdd = false;
            for (int i = 0; i < 200 && !(sawSet && sawAdd); i++) {
                var e = events.next();
                if (e == null) {
                    break;
                }
                sawSet |= e.subject().equals("work") && e.name().equals("property-set:vcpus")
                        && "3".equals(e.kwargs().get("newvalue"));
                sawAdd |= e.name().equals("domain-add") && "evq".equals(e.kwargs().get("vm"));
            }
            assertTrue(sawSet, "property-set:vcpus");
            assertTrue(sawAdd, "domain-add");
        }
        ok(new QvmRemove(), "-f", "evq");
    }

    @Test
    @Order(8)
    void cloneAndRemove() {
        ok(new QvmClone(), "-q", "work", "work2");
        assertEquals("600\n".equals(ok(new QvmPrefs(), "work", "memory").out()),
                "600\n".equals(ok(new QvmPrefs(), "work2", "memory").out()));
        assertTrue(ok(new QvmTags(), "work2").out().contains("beta"));
        assertTrue(ok(new QvmNotes(), "work2", "-p").out().contains("hello"));
        assertEquals(1, run(new QvmClone(), "work", "work2").code());
        assertEquals(2, run(new QvmClone(), "ghost", "x").code());
        Result r = run(new QvmRemove(), "-f", "net");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("netvm for work"), r.err());
        ok(new QvmRemove(), "-f", "work2");
        assertEquals(1, run(new QvmCheck(), "-q", "work2").code());
        assertEquals(2, run(new QvmRemove(), "-f", "work2").code());
    }

    @Test
    @Order(10)
    void manyQubesAreListedFromOneCallAsFromOneCallEach() {
        String[] labels = {"red", "orange", "yellow", "green", "gray", "blue", "purple", "black"};
        for (int i = 0; i < 12; i++) {
            ok(new QvmCreate(), "-l", labels[i % 8], "--prop", "memory=" + (300 + i), "many" + i);
        }
        String[] cols = {"--raw-data", "-O", "name,state,class,label,template,netvm,flags,qid,memory,gateway"};
        // Every qube: the one GetAllOfAll call. One qube of many: its own GetAll.
        List<String> all = ok(new QvmLs(), cols).out().lines().toList();
        assertTrue(all.size() >= 14, all.toString());
        for (String line : all) {
            String name = line.substring(0, line.indexOf('|'));
            String[] one = java.util.Arrays.copyOf(cols, cols.length + 1);
            one[cols.length] = name;
            assertEquals(line + "\n", ok(new QvmLs(), one).out());
        }
        assertTrue(all.stream().anyMatch(l -> l.startsWith("many3|Halted|AppVM|green|tpl|-|a-------|")), all.toString());
    }
}
