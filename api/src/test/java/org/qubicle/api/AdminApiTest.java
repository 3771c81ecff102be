package org.qubicle.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.api.ApiMethod.Access;
import org.qubicle.api.ApiMethod.Arg;
import org.qubicle.api.ApiMethod.Dest;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.wire.Request;
import org.qubicle.model.HostInfo;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.PermissionDenied;

/** Dispatch without a socket: saving, aborts and the policy hook. */
class AdminApiTest {
    @TempDir
    Path root;

    private static Request req(String method, String arg, String payload) {
        return new Request(method, arg, "dom0", "dom0", payload.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(Outcome o) {
        return new String(assertInstanceOf(Outcome.Reply.class, o).frame(), StandardCharsets.UTF_8);
    }

    @Test
    void writesAreSavedBeforeTheReplyReadsAndRefusalsAreNot() throws Exception {
        AtomicInteger saves = new AtomicInteger();
        AdminApi api = AdminApi.standard(Qubes.fresh(root, HostInfo.probe()), saves::incrementAndGet, AdminPolicy.ALLOW_ALL);
        assertEquals("0\0", text(api.dispatch(req("admin.vm.feature.Set", "x", "1"), null)));
        assertEquals(1, saves.get());
        assertEquals("0\0" + "1", text(api.dispatch(req("admin.vm.feature.Get", "x", ""), null)));
        assertEquals(1, saves.get());
        assertEquals("2\0ProtocolError\0\0Invalid feature name\0", text(api.dispatch(req("admin.vm.feature.Set", "x/y", "1"), null)));
        assertEquals(1, saves.get());
    }

    @Test
    void aFailedSaveAbortsTheCall() throws Exception {
        AdminApi api = AdminApi.standard(Qubes.fresh(root, HostInfo.probe()), () -> {
            throw new IOException("disk full");
        }, AdminPolicy.ALLOW_ALL);
        assertInstanceOf(Outcome.Abort.class, api.dispatch(req("admin.vm.feature.Set", "x", "1"), null));
    }

    @Test
    void aBugAbortsWithoutAnswer() throws Exception {
        MethodTable table = MethodTable.builder().add("admin.Bug", Arg.NONE, Payload.NONE, Dest.ANY, Access.READ, call -> {
            throw new IllegalStateException("bug");
        }).build();
        AdminApi api = new AdminApi(Qubes.fresh(root, HostInfo.probe()), table, Persistence.NONE, AdminPolicy.ALLOW_ALL);
        assertInstanceOf(Outcome.Abort.class, api.dispatch(req("admin.Bug", "", ""), null));
    }

    @Test
    void policySeesTheDeclarationAndCanRefuse() throws Exception {
        AdminPolicy readOnly = (m, src, dest, arg) -> {
            if (m.access() == Access.WRITE) {
                throw new PermissionDenied("read-only");
            }
        };
        AdminApi api = AdminApi.standard(Qubes.fresh(root, HostInfo.probe()), Persistence.NONE, readOnly);
        assertEquals("2\0PermissionDenied\0\0read-only\0", text(api.dispatch(req("admin.vm.feature.Set", "x", "1"), null)));
        assertInstanceOf(Outcome.Reply.class, api.dispatch(req("admin.vm.List", "", ""), null));
    }

    @Test
    void declarationsAreChecked() {
        assertThrows(IllegalStateException.class, () -> MethodTable.builder()
                .add("a.B", Arg.NONE, Payload.NONE, Dest.ANY, Access.READ, call -> "")
                .add("a.B", Arg.NONE, Payload.NONE, Dest.ANY, Access.READ, call -> ""));
        assertThrows(IllegalArgumentException.class, () -> MethodTable.builder()
                .add("a.B", Arg.NONE, Payload.NONE, Dest.ANY, Access.STREAM, call -> ""));
        assertThrows(IllegalArgumentException.class, () -> MethodTable.builder()
                .add("a B", Arg.NONE, Payload.NONE, Dest.ANY, Access.READ, call -> ""));
    }
}
