package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** qvm-ls fetches every qube's properties in one call from our daemon, else one call per qube. */
class LsFetchTest extends ToolTestBase {
    static final String[] LABELS = {"red", "orange", "yellow", "green", "gray", "blue", "purple", "black"};

    /** dom0 and twelve qubes; each GetAll answered singly, and, when {@code bulk}, all at once. */
    private void twelveQubes(boolean bulk) {
        StringBuilder list = new StringBuilder("dom0 class=AdminVM state=Running uuid=0\n");
        StringBuilder all = new StringBuilder();
        String dom0 = "label default=False type=label black\n";
        daemon.on("dom0", "admin.vm.property.GetAll", dom0);
        all.append("dom0 ").append(dom0.length()).append('\n').append(dom0);
        for (int i = 1; i <= 12; i++) {
            String name = String.format("q%02d", i);
            list.append(name).append(" class=AppVM state=Halted uuid=").append(i).append('\n');
            String props = "label default=False type=label " + LABELS[i % 8] + "\n"
                    + "netvm default=True type=vm \nqid default=False type=int " + i + "\n"
                    + "kernelopts default=False type=str a\\nb\n";
            daemon.on(name, "admin.vm.property.GetAll", props);
            all.append(name).append(' ').append(props.length()).append('\n').append(props);
        }
        daemon.on("dom0", "admin.vm.List", list.toString());
        if (bulk) {
            daemon.on("dom0", LsFetch.GET_ALL_OF_ALL + "+kernelopts+label+netvm+provides_network+qid+template",
                    all.toString());
        }
    }

    private List<String> getAllCalls() {
        List<String> calls = new ArrayList<>(daemon.calls());
        calls.removeIf(c -> !c.contains("property.GetAll"));
        return calls;
    }

    @Test
    void oneCallFromOurDaemonGivesTheSameListing() {
        twelveQubes(false);
        Result single = run(new QvmLs(), "-O", "name,label,qid,kernelopts");
        assertEquals(0, single.code(), single.err());
        assertEquals(1 + 13, getAllCalls().size(), "refused extension, then one GetAll per qube");
        daemon.requests.clear();

        twelveQubes(true);
        Result bulk = run(new QvmLs(), "-O", "name,label,qid,kernelopts");
        assertEquals(single, bulk);
        assertEquals(List.of("dom0 " + LsFetch.GET_ALL_OF_ALL + "+kernelopts+label+netvm+provides_network+qid+template"),
                getAllCalls());
        assertTrue(bulk.out().contains("q03   green   3    a\nb\n"), bulk.out());
    }

    @Test
    void aFewQubesOfManyAreFetchedOneByOne() {
        twelveQubes(true);
        Result r = run(new QvmLs(), "--raw-list", "q01", "q02");
        assertEquals("q01\nq02\n", r.out());
        assertFalse(getAllCalls().toString().contains(LsFetch.GET_ALL_OF_ALL), getAllCalls().toString());
    }

    @Test
    void aPropertyTheBulkAnswerWasNotAskedForIsFetchedWithAllOfItsQube() {
        twelveQubes(true);
        Qubes qubes = new Qubes(new org.qubicle.api.client.AdminClient(root.resolve("var/run/qubesd.sock")));
        LsQube q = new LsQube(qubes.domains().get("q03"), qubes);
        q.props = new LsProps("label default=False type=label green\n", java.util.Set.of("label", "template"));
        assertEquals("green", q.prop("label"));
        assertEquals(null, q.prop("template"), "asked for, and absent: no call");
        assertTrue(getAllCalls().isEmpty(), getAllCalls().toString());
        assertEquals("3", q.prop("qid"));
        assertEquals(List.of("q03 admin.vm.property.GetAll+"), getAllCalls());
    }

    @Test
    void malformedBulkAnswersAreRefused() {
        assertEquals(2, LsFetch.parse("a 3\nxyzb 0\n", null).size());
        assertThrows(IllegalArgumentException.class, () -> LsFetch.parse("a 30\nxyz", null));
        assertThrows(IllegalArgumentException.class, () -> LsFetch.parse("a -1\nxyz", null));
        assertThrows(IllegalArgumentException.class, () -> LsFetch.parse("a\n", null));
        assertThrows(IllegalArgumentException.class, () -> LsFetch.parse("a x\n", null));
    }
}
