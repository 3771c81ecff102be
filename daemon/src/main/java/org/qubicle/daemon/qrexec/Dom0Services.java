package org.qubicle.daemon.qrexec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.AdminApi;
import org.qubicle.api.EventSink;
import org.qubicle.api.Outcome;
import org.qubicle.api.wire.Request;
import org.qubicle.api.wire.ResponseEncoder;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.Frames;

/**
 * Services whose target is dom0, run by the daemon itself (dom0 runs no programs for qubes):
 * {@code qubes.GetDate} and, when an {@link AdminApi} is attached, every {@code admin.*} and
 * {@code policy.*} method, dispatched with the calling qube as source and the call's requested
 * target as destination, as qubesd and the policy admin service receive them through qrexec
 * (spec §10.1, §10.2). {@code admin.Events} streams its events as the call's stdout. Anything else exits 127, as a missing
 * service does.
 */
final class Dom0Services {
    private static final Logger LOG = Logger.getLogger(Dom0Services.class.getName());
    /** Largest admin call payload read from a qube. */
    static final int MAX_PAYLOAD = 1 << 20;

    private volatile AdminApi admin;

    void setAdminApi(AdminApi api) {
        this.admin = api;
    }

    /** Runs the service; returns its exit code (also sent to the caller). */
    int call(String source, CallHeader h, String requestedTarget, InputStream in, OutputStream out) throws IOException {
        if (h.service().equals("qubes.GetDate")) {
            String now = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)).replace("Z", "+00:00");
            return finish(out, (now + "\n").getBytes(StandardCharsets.US_ASCII), 0);
        }
        AdminApi api = admin;
        if ((h.service().startsWith("admin.") || h.service().startsWith("policy.")) && api != null) {
            byte[] payload = readInput(in);
            if (payload == null) {
                return finish(out, "qrexec: admin call payload too long\n".getBytes(StandardCharsets.UTF_8), 1);
            }
            String dest = requestedTarget.startsWith("@") ? "dom0" : requestedTarget;
            Request req = new Request(h.service(), h.argument(), source, dest, payload);
            try {
                // A method declared as a stream (admin.Events, admin.vm.Stats) answers with events.
                boolean streamed = api.methods().find(h.service())
                        .map(m -> m.access() == org.qubicle.api.ApiMethod.Access.STREAM).orElse(false);
                Outcome o = streamed ? stream(api, req, in, out) : api.dispatch(req, null);
                if (o instanceof Outcome.Reply r) {
                    return finish(out, r.frame(), 0);
                }
                return finish(out, new byte[0], o instanceof Outcome.Streamed ? 0 : 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return finish(out, new byte[0], 1);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "admin call " + h.service() + " from " + source + " failed", e);
                return finish(out, new byte[0], 1);
            }
        }
        byte[] msg = ("qrexec: service " + h.serviceAndArg() + " does not exist in dom0\n")
                .getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            Frames.write(out, Frames.STDERR, msg, 0, msg.length);
        }
        return finish(out, new byte[0], 127);
    }

    /**
     * A streaming call ({@code admin.Events}, {@code admin.vm.Stats}): each event goes to the
     * caller as stdout, in the socket's own encoding, until the stream ends or the caller
     * goes away. A watcher reads the caller's connection to its end and then interrupts the
     * stream, which would otherwise notice only at its next event.
     */
    private static Outcome stream(AdminApi api, Request req, InputStream in, OutputStream out)
            throws InterruptedException {
        Thread streaming = Thread.currentThread();
        Object lock = new Object();
        boolean[] done = {false};
        Thread watcher = Thread.ofVirtual().name("qrexec-admin-stream-watch").start(() -> {
            byte[] buf = new byte[Frames.MAX];
            try {
                while (Frames.read(in, buf) != null) {
                    // after end-of-input the caller sends nothing; anything else is ignored
                }
            } catch (IOException e) {
                // gone
            }
            synchronized (lock) {
                if (!done[0]) {
                    streaming.interrupt();
                }
            }
        });
        EventSink sink = (subject, event, kwargs) -> {
            byte[] e = ResponseEncoder.event(subject, event, kwargs);
            synchronized (out) {
                for (int off = 0; off < e.length; off += Frames.MAX) {
                    Frames.write(out, Frames.STDOUT, e, off, Math.min(Frames.MAX, e.length - off));
                }
                out.flush();
            }
        };
        try {
            return api.dispatch(req, sink);
        } catch (InterruptedException e) {
            return new Outcome.Streamed();
        } finally {
            synchronized (lock) {
                done[0] = true;
            }
            Thread.interrupted(); // a late interrupt must not close the caller's channel
            watcher.interrupt();
        }
    }

    /** The caller's input up to end-of-input, or null past {@link #MAX_PAYLOAD}. */
    private static byte[] readInput(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[Frames.MAX];
        while (true) {
            Frames.Frame f = Frames.read(in, buf);
            if (f == null || f.type() != Frames.STDIN) {
                throw new IOException("caller went away");
            }
            if (f.length() == 0) {
                return b.toByteArray();
            }
            if (b.size() + f.length() > MAX_PAYLOAD) {
                return null;
            }
            b.write(f.data(), 0, f.length());
        }
    }

    private static int finish(OutputStream out, byte[] stdout, int code) throws IOException {
        synchronized (out) {
            for (int off = 0; off < stdout.length; off += Frames.MAX) {
                Frames.write(out, Frames.STDOUT, stdout, off, Math.min(Frames.MAX, stdout.length - off));
            }
            Frames.write(out, Frames.STDOUT, stdout, 0, 0);
            Frames.writeExit(out, code);
        }
        return code;
    }
}
