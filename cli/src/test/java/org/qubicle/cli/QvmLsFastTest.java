package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qubicle.api.client.AdminClient;

/** qvm-ls without picocli must behave exactly as with it, and hand over what it cannot parse. */
class QvmLsFastTest extends ToolTestBase {
    /** Command lines the fast path takes; each must print what the picocli path prints. */
    private static final List<String[]> TAKEN = List.of(
            new String[] {},
            new String[] {"--raw-list"},
            new String[] {"--raw-data", "--fields", "name,state,memory,qid", "work"},
            new String[] {"--raw-data", "--fields=name,label", "--running", "--paused"},
            new String[] {"-O", "name,flags,qid,gateway", "--sort", "qid", "--reverse", "sys-net",
                "work", "dom0"},
            new String[] {"--json", "-O", "name,kernelopts,template", "work", "fedora"},
            new String[] {"--tree", "-O", "name"},
            new String[] {"-t"},
            new String[] {"-n"},
            new String[] {"-o", "full", "--halted"},
            new String[] {"--format=prefs", "--sort=label", "--ignore-case"},
            new String[] {"--all", "--exclude", "dom0", "--exclude=fedora", "--raw-list"},
            new String[] {"*s*-*", "p*", "--no-spinner", "-q", "--force-root"},
            new String[] {"--sort", "NETVM", "-v"},
            // Errors: picocli's usage messages, or the tool's own runtime ones.
            new String[] {"nosuch"},
            new String[] {"--all", "work"},
            new String[] {"--exclude", "work"},
            new String[] {"--format", "nope"},
            new String[] {"-o", "full", "-d"},
            new String[] {"--internal", "maybe"});

    @Test
    void sameOutputAndExitCodeAsPicocli() {
        for (String[] args : TAKEN) {
            Result slow = run(new QvmLs(), args);
            assertTrue(QvmLsArgs.parse(new QvmLs(), args), Arrays.toString(args));
            Result fast = fast(args);
            if (fast.code() == QvmLsFast.USE_PICOCLI) {
                // A usage error: handed over (unwritten) for picocli's synopsis.
                assertEquals(2, slow.code(), Arrays.toString(args));
                assertEquals("", fast.out() + fast.err(), Arrays.toString(args));
                continue;
            }
            assertEquals(slow, fast, Arrays.toString(args));
        }
    }

    @Test
    void runtimeErrorsAsToolRunnerPrintsThem() throws Exception {
        daemon.close();
        assertEquals(run(new QvmLs()), fast());
        Result verbose = fast("--verbose");
        assertEquals(1, verbose.code());
        assertTrue(verbose.err().startsWith("qvm-ls: error: Failed to connect to qubesd service"));
        assertTrue(verbose.err().contains("\tat org.qubicle.api.client.AdminClient"), verbose.err());
    }

    @Test
    void handsOverWhatOnlyPicocliParses() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"},
                new String[] {"--version"}, new String[] {"--help-formats"},
                new String[] {"--help-columns"}, new String[] {"--class", "AppVM"},
                new String[] {"--label", "red"}, new String[] {"--tags", "a"},
                new String[] {"--prefs", "a=b"}, new String[] {"--features", "a"},
                new String[] {"--template-source", "x"}, new String[] {"--netvm-is", "x"},
                new String[] {"--exclude-tags", "x"}, new String[] {"-dt"},
                new String[] {"-ofull"}, new String[] {"-o=full"}, new String[] {"--format"},
                new String[] {"--format", "-d"}, new String[] {"--format="},
                new String[] {"--fields", ""}, new String[] {"--", "work"},
                new String[] {"@args"}, new String[] {"--sort", "@x"}, new String[] {"-"},
                new String[] {"--raw-list=true"}, new String[] {"--bogus"},
                new String[] {"work", "--nope"}, new String[] {""})) {
            assertFalse(QvmLsArgs.parse(new QvmLs(), args), Arrays.toString(args));
            Result r = fast(args);
            assertEquals(new Result(QvmLsFast.USE_PICOCLI, "", ""), r, Arrays.toString(args));
        }
        assertTrue(daemon.calls().isEmpty(), "nothing asked of the daemon before handing over");
    }

    @Test
    void parsedFieldsMatchPicocli() {
        String[] args = {"-o", "full", "--exclude", "a", "--exclude=b", "--sort", "qid", "-v",
            "-v", "-q", "--all", "--internal=y", "--servicevm", "n", "--json"};
        QvmLs fast = new QvmLs();
        assertTrue(QvmLsArgs.parse(fast, args));
        QvmLs slow = new QvmLs();
        new picocli.CommandLine(slow).setOverwrittenOptionsAllowed(true).parseArgs(args);
        assertEquals(slow.format, fast.format);
        assertEquals(slow.exclude, fast.exclude);
        assertEquals(slow.sort, fast.sort);
        assertEquals(slow.common.level(), fast.common.level());
        assertEquals(slow.all, fast.all);
        assertEquals(slow.internal, fast.internal);
        assertEquals(slow.servicevm, fast.servicevm);
        assertEquals(slow.json, fast.json);
        QvmLs none = new QvmLs();
        assertTrue(QvmLsArgs.parse(none, new String[0]));
        assertEquals("NAME", none.sort);
    }

    private Result fast(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        QvmLs tool = new QvmLs();
        tool.with(new Qubes(new AdminClient(root.resolve("var/run/qubesd.sock"))));
        int code = QvmLsFast.execute(tool, args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
