package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.exc.QubesVolumeCopyTokenNotFoundError;
import org.qubicle.model.storage.VolumeConfig;

/**
 * The {@code admin.vm.volume.*} calls that move data, served by a {@link VolumeBackend}:
 * Info (usage, size, path, is_outdated), ListSnapshots, Revert, Resize, Clear, CloneTo,
 * Import, ImportWithSize and the Qubicle extension Export. After each, the recorded size
 * in qubes.xml follows the volume's.
 *
 * <p>Import payloads: {@code Import} takes the raw image, exactly the volume's size;
 * {@code ImportWithSize} takes the decimal size, a newline, then exactly that many bytes
 * (upstream api/admin.py). Data is moved on another thread while this one waits on the
 * system lock's monitor, so other calls go on; the qube is marked busy meanwhile.
 */
final class VolumeDataCalls {
    /** Longest size line of ImportWithSize: 20 digits and the newline. */
    private static final int MAX_SIZE_LINE = 21;

    private final VolumeBackend backend;
    private final Map<String, VolumeHandlers.Source> tokens;

    VolumeDataCalls(VolumeBackend backend, Map<String, VolumeHandlers.Source> tokens) {
        this.backend = backend;
        this.tokens = tokens;
    }

    void register(MethodTable.Builder b) {
        b.add("admin.vm.volume.Info", REQUIRED, Payload.NONE, ANY, READ,
                call -> VolumeHandlers.info(call, backend.info(call.dest(), VolumeHandlers.volume(call).name())));
        b.add("admin.vm.volume.ListSnapshots", REQUIRED, Payload.NONE, ANY, READ,
                call -> Replies.lines(backend.revisions(call.dest(), VolumeHandlers.volume(call).name())));
        b.add("admin.vm.volume.Revert", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            String untrustedRevision = call.untrustedPayloadAsciiStrict();
            if (!untrustedRevision.matches("[A-Za-z0-9_.:@-]{1,64}")) {
                throw new QubesValueError("Invalid revision");
            }
            VolumeHandlers.halted(call.dest());
            record(call, v, backend.revert(call.dest(), v.name(), untrustedRevision));
            return "";
        });
        b.add("admin.vm.volume.Resize", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            long size = Ints.size(call.untrustedPayloadAsciiStrict());
            record(call, v, backend.resize(call.dest(), v.name(), size));
            return "";
        });
        b.add("admin.vm.volume.Clear", REQUIRED, Payload.NONE, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            VolumeHandlers.halted(call.dest());
            record(call, v, backend.clear(call.dest(), v.name()));
            return "";
        });
        b.add("admin.vm.volume.CloneTo", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            String untrustedToken = call.untrustedPayloadAsciiStrict();
            VolumeHandlers.Source src = tokens.get(untrustedToken);
            if (src == null) {
                throw new QubesVolumeCopyTokenNotFoundError("Invalid token");
            }
            VolumeHandlers.halted(call.dest());
            tokens.remove(untrustedToken);
            Qube srcQube = call.app().find(src.qube()).orElseThrow(() -> new QubesValueError("Source volume is gone"));
            long size = outsideLock(call, () -> backend.cloneFrom(srcQube, src.volume(), call.dest(), v.name()));
            record(call, v, size);
            return "";
        });
        b.add("admin.vm.volume.Import", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            VolumeHandlers.halted(call.dest());
            long size = backend.size(call.dest(), v.name());
            InputStream in = payload(call);
            record(call, v, outsideLock(call, () -> backend.importData(call.dest(), v.name(), in, size)));
            return "";
        });
        b.add("admin.vm.volume.ImportWithSize", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            VolumeHandlers.halted(call.dest());
            InputStream in = payload(call);
            long size = readSize(in);
            record(call, v, outsideLock(call, () -> backend.importData(call.dest(), v.name(), in, size)));
            return "";
        });
        b.add("admin.vm.volume.Export", REQUIRED, Payload.NONE, ANY, READ, call -> {
            VolumeConfig v = VolumeHandlers.volume(call);
            if (!VolumePayloads.OUT.isBound()) {
                throw new ProtocolError("Export needs a streaming connection");
            }
            VolumePayloads.Answer answer = VolumePayloads.OUT.get();
            InputStream data = backend.export(call.dest(), v.name());
            outsideLock(call, () -> {
                try (data) {
                    OutputStream out = answer.begin();
                    data.transferTo(out);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return 0L;
            });
            return "";
        });
    }

    private void record(Call call, VolumeConfig v, long size) {
        VolumeConfig now = call.dest().volumes().get(v.name());
        if (now != null && now.size() != size) {
            call.dest().putVolume(now.withSize(size));
        }
    }

    /** The payload: what the request holds, then the rest of the connection when the server streamed it. */
    private static InputStream payload(Call call) {
        InputStream head = new ByteArrayInputStream(call.untrustedPayload());
        return VolumePayloads.REST.isBound() ? new SequenceInputStream(head, VolumePayloads.REST.get()) : head;
    }

    private static long readSize(InputStream in) {
        StringBuilder sb = new StringBuilder();
        try {
            for (int i = 0; i < MAX_SIZE_LINE; i++) {
                int c = in.read();
                if (c == '\n') {
                    return Ints.size(sb.toString());
                }
                if (c < '0' || c > '9') {
                    break;
                }
                sb.append((char) c);
            }
        } catch (IOException e) {
            throw new QubesException("reading the import size failed: " + e.getMessage());
        }
        throw new ProtocolError("ImportWithSize payload must start with the size and a newline");
    }

    /**
     * Runs {@code work} on another thread and waits for it on the system lock's monitor,
     * which releases the lock meanwhile (a multi-GiB copy must not stop every other call).
     * The qube is marked busy, so it cannot be started in between.
     */
    private long outsideLock(Call call, Supplier<Long> work) {
        Object lock = call.app().lock();
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (AutoCloseable busy = backend.markBusy(call.dest())) {
            Thread.ofVirtual().name("volume-data").start(() -> {
                try {
                    done.complete(work.get());
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
                synchronized (lock) {
                    lock.notifyAll();
                }
            });
            while (!done.isDone()) {
                lock.wait(1000);
            }
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new QubesException("volume operation failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QubesException("interrupted");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new QubesException(e.getMessage());
        }
    }
}
