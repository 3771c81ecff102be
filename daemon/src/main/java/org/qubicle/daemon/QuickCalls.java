package org.qubicle.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.qubicle.api.AdminApi;
import org.qubicle.api.Outcome;
import org.qubicle.api.wire.FramingException;
import org.qubicle.api.wire.Request;
import org.qubicle.api.wire.RequestDecoder;

/**
 * Answers short reads of the model on the accepting thread itself. A client sends its whole
 * request and half-closes right after connecting (qvm-ls makes a thousand such calls), so the
 * request is usually complete in the socket when it is accepted; answering it there spares a
 * virtual thread's start, park and wake-up, about a third of the daemon's time per call on a
 * paravirtualised host (docs/benchmarks.md).
 *
 * <p>Only the methods in {@link #METHODS} qualify: they read the model under its lock and
 * never wait on anything else. The accepting thread never blocks on a client: it waits at
 * most {@link #WAIT_MS} for a request still on its way, and a request not complete by then,
 * any other method, or an answer the client does not take at once goes on to a connection
 * thread, with the bytes read so far.
 */
final class QuickCalls implements AutoCloseable {
    static final Set<String> METHODS = Set.of(
            "admin.vmclass.List", "admin.vm.List", "admin.vm.CurrentState",
            "admin.vm.property.List", "admin.vm.property.Get", "admin.vm.property.GetAll",
            "admin.vm.property.GetDefault", "admin.vm.property.Help",
            "admin.property.List", "admin.property.Get", "admin.property.GetAll",
            "admin.property.GetDefault", "admin.property.Help",
            "admin.vm.feature.List", "admin.vm.feature.Get", "admin.vm.feature.CheckWithTemplate",
            "admin.vm.feature.CheckWithNetvm", "admin.vm.feature.CheckWithAdminVM",
            "admin.vm.feature.CheckWithTemplateAndAdminVM",
            "admin.vm.tag.List", "admin.vm.tag.Get", "admin.vm.notes.Get",
            "admin.label.List", "admin.label.Get", "admin.label.Index");

    /** What became of a connection. */
    sealed interface Result {
        /** Answered and closed here. */
        record Answered() implements Result {
        }

        /** For a connection thread, which goes on after the {@code prefix} already read. */
        record Handoff(byte[] prefix) implements Result {
        }

        /** Answered, but the client has not taken all of it: a thread writes the rest and closes. */
        record Unwritten(ByteBuffer rest) implements Result {
        }
    }

    private static final Result ANSWERED = new Result.Answered();
    /** How long the accepting thread waits for a request that has not arrived yet. */
    static final long WAIT_MS = 2;
    /** Only the accepting thread uses them. */
    private final ByteBuffer buf = ByteBuffer.allocate(RequestDecoder.MAX_REQUEST_BYTES + 1);
    private final Selector selector;

    QuickCalls() throws IOException {
        this.selector = Selector.open();
    }

    /** Serves {@code ch} here if it qualifies; the channel is left in blocking mode otherwise. */
    Result serve(AdminApi api, SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        buf.clear();
        boolean complete = false;
        boolean waited = false;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                complete = true;
                break;
            }
            if (n == 0) {
                // Accepted at connect, the request still on its way: wait for it a moment.
                if (waited || !awaitReadable(ch)) {
                    break;
                }
                waited = true;
            }
        }
        byte[] untrusted = Arrays.copyOf(buf.array(), buf.position());
        if (!complete || !METHODS.contains(method(untrusted))) {
            ch.configureBlocking(true);
            return new Result.Handoff(untrusted);
        }
        Request request;
        try {
            request = RequestDecoder.decode(untrusted);
        } catch (FramingException e) {
            ch.close();
            return ANSWERED;
        }
        Outcome outcome;
        try {
            outcome = api.dispatch(request, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
            return ANSWERED;
        }
        if (!(outcome instanceof Outcome.Reply reply)) {
            ch.close();
            return ANSWERED;
        }
        ByteBuffer out = ByteBuffer.wrap(reply.frame());
        ch.write(out);
        if (out.hasRemaining()) {
            ch.configureBlocking(true);
            return new Result.Unwritten(out);
        }
        ch.shutdownOutput();
        ch.close();
        return ANSWERED;
    }

    /**
     * Waits at most {@link #WAIT_MS} for {@code ch} to become readable, then takes it off the
     * selector again so that it can go back to blocking mode.
     */
    private boolean awaitReadable(SocketChannel ch) throws IOException {
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
        try {
            return selector.select(WAIT_MS) > 0;
        } finally {
            key.cancel();
            selector.selectNow();
        }
    }

    /** Releases the selector (the daemon is closing). */
    @Override
    public void close() throws IOException {
        selector.close();
    }

    /** The method name: the request's bytes up to {@code +} (empty if there is none). */
    static String method(byte[] untrusted) {
        int end = Math.min(untrusted.length, 128);
        for (int i = 0; i < end; i++) {
            if (untrusted[i] == '+') {
                return new String(untrusted, 0, i, StandardCharsets.US_ASCII);
            }
        }
        return "";
    }
}
