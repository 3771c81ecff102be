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
import org.qubicle.api.Outcome;
import org.qubicle.api.wire.Request;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.Frames;

/**
 * Services whose target is dom0, run by the daemon itself (dom0 runs no programs for qubes):
 * {@code qubes.GetDate} and, when an {@link AdminApi} is attached, every {@code admin.*} method,
 * dispatched with the calling qube as source and the call's requested target as destination,
 * as qubesd receives them through qrexec (spec §10.1). Anything else exits 127, as a missing
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
        if (h.service().startsWith("admin.") && api != null) {
            byte[] payload = readInput(in);
            if (payload == null) {
                return finish(out, "qrexec: admin call payload too long\n".getBytes(StandardCharsets.UTF_8), 1);
            }
            String dest = requestedTarget.startsWith("@") ? "dom0" : requestedTarget;
            try {
                Outcome o = api.dispatch(new Request(h.service(), h.argument(), source, dest, payload), null);
                if (o instanceof Outcome.Reply r) {
                    return finish(out, r.frame(), 0);
                }
                return finish(out, new byte[0], 1);
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
