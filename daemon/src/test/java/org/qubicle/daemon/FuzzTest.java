package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.api.ApiMethod;
import org.qubicle.api.handlers.Handlers;
import org.qubicle.model.HostInfo;
import org.qubicle.store.QubesStore;

/**
 * 10,000 random and malformed requests over the real socket. The daemon must stay up, every
 * answer must be one well-formed frame or nothing, and a call that was refused, or that only
 * reads, must leave qubes.xml byte for byte as it was.
 */
class FuzzTest {
    private static final int REQUESTS = 10_000;

    @Test
    void randomRequestsNeverBreakTheDaemon(@TempDir Path root) throws Exception {
        long seed = Long.getLong("qubicle.fuzz.seed", System.nanoTime());
        Random rnd = new Random(seed);
        // Streams never end on their own; the event tests cover admin.Events.
        List<ApiMethod> methods = new ArrayList<>(Handlers.standardTable().all().stream()
                .filter(m -> m.access() != ApiMethod.Access.STREAM).toList());
        try (Daemon d = Daemon.start(new QubesPaths(root))) {
            RawClient c = new RawClient(d.paths().adminSocket());
            Path xml = d.paths().qubesXml();
            assertInstanceOf(RawClient.Reply.Ok.class, c.call("admin.vm.Create.StandaloneVM", "", "dom0", "name=fz1 label=red"));
            assertInstanceOf(RawClient.Reply.Ok.class, c.call("admin.vm.Create.TemplateVM", "", "dom0", "name=fzt label=black"));
            byte[] before = Files.readAllBytes(xml);
            int ok = 0;
            int errors = 0;
            int empty = 0;
            for (int i = 0; i < REQUESTS; i++) {
                boolean useMethod = rnd.nextInt(4) != 0;
                ApiMethod m = useMethod ? methods.get(rnd.nextInt(methods.size())) : null;
                byte[] request = useMethod ? FuzzInput.plausible(rnd, m.name()) : FuzzInput.garbage(rnd);
                byte[] raw = c.send(request);
                RawClient.Reply reply = assertDoesNotThrow(() -> RawClient.parse(raw),
                        () -> "seed " + seed + ": malformed reply to " + show(request));
                byte[] after = Files.readAllBytes(xml);
                boolean mayChange = reply instanceof RawClient.Reply.Ok && m != null && m.access() == ApiMethod.Access.WRITE;
                if (mayChange) {
                    ok++;
                    before = after;
                    assertDoesNotThrow(() -> new QubesStore(root).load(HostInfo.probe()), "seed " + seed + ": qubes.xml unreadable after " + show(request));
                } else {
                    switch (reply) {
                        case RawClient.Reply.Ok o -> ok++;
                        case RawClient.Reply.Error e -> errors++;
                        case RawClient.Reply.Empty e -> empty++;
                    }
                    byte[] expected = before;
                    assertArrayEquals(expected, after, () -> "seed " + seed + ": qubes.xml changed by " + show(request));
                }
            }
            assertInstanceOf(RawClient.Reply.Ok.class, c.call("admin.vm.List", "", "dom0", ""));
            assertDoesNotThrow(() -> new QubesStore(root).load(HostInfo.probe()));
            // A fuzz run that never reached a handler would test nothing.
            assertTrue(ok > 100 && errors > 100 && empty > 100, "ok " + ok + " errors " + errors + " empty " + empty);
        }
    }

    private static String show(byte[] request) {
        String s = new String(request, 0, Math.min(request.length, 200), StandardCharsets.ISO_8859_1);
        return s.replace('\0', '|');
    }
}
