package org.qubicle.driver.bwrap;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.qubicle.driver.QubeProcess;

/**
 * A call run by the qube's resident forker, seen through the FIFOs of its call directory
 * (rc, in, out, err; see {@link ForkerScripts#CALL}).
 *
 * <p>Every blocking FIFO operation (the opens, which wait for the peer, and the reads and
 * writes) runs on a small pool of platform threads: on a virtual thread it would pin its
 * carrier (the JDK compensates for process pipes, not for FIFOs), and a few such calls
 * would stall every virtual thread of the daemon. Callers get NIO pipe streams, on which
 * virtual threads block without pinning; a platform thread may take the stdin FIFO itself
 * ({@link #stdinChannel()}). rc carries {@code p PID} (the call's pid in the
 * qube) and {@code x CODE}.
 */
final class ForkerProcess implements QubeProcess {
    /** Exit code reported when the call ended without one (killed with its wrapper, qube gone). */
    static final int KILLED = 137;
    private static final int BUFFER = 1 << 17;
    private static final int PIPE = 1 << 20;
    private static final ExecutorService IO = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("qubicle-forker-io-", 0).factory());

    private final Pipe in;
    /** The call's stdin FIFO; written by the relay from {@link #in}, or directly (see stdinChannel). */
    private final FileOutputStream fifoIn;
    private boolean relaying;
    private boolean direct;
    private final Pipe out;
    private final Pipe err;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Long> pid = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final LongConsumer killSession;
    private final Runnable started;

    private record Ends(FileInputStream rc, FileOutputStream in, FileInputStream out, FileInputStream err) {
        void close() {
            quietly(rc);
            quietly(in);
            quietly(out);
            quietly(err);
        }
    }

    private ForkerProcess(Path dir, Ends e, LongConsumer killSession, Runnable started) throws IOException {
        // Bulk streams (qubes.Filecopy, qvm-run -p) move in 1 MiB steps instead of 64 KiB ones:
        // fewer wake-ups of the call and of our pump threads.
        Mounts.growPipe(dir.resolve("in"), PIPE);
        Mounts.growPipe(dir.resolve("out"), PIPE);
        this.killSession = killSession;
        this.started = started;
        fifoIn = e.in();
        in = Pipe.open();
        out = Pipe.open();
        err = Pipe.open();
        stdin = Channels.newOutputStream(in.sink());
        stdout = Channels.newInputStream(out.source());
        stderr = Channels.newInputStream(err.source());
        IO.execute(() -> fromQube(e.out(), out.sink()));
        IO.execute(() -> fromQube(e.err(), err.sink()));
        IO.execute(() -> status(e.rc()));
    }

    /**
     * Opens the call's FIFOs in {@code dir} in the wrapper's order. Empty (null) when the
     * forker did not answer within {@code timeout} (dying, stuck): the opens are then
     * released by opening their other ends here, and nothing is left waiting.
     * {@code started} runs once the call's script runs (or the call ended without).
     */
    static ForkerProcess connect(Path dir, Duration timeout, LongConsumer killSession, Runnable started)
            throws IOException {
        Handshake h = new Handshake(dir);
        Future<Ends> f = IO.submit(h::open);
        try {
            return new ForkerProcess(dir, f.get(timeout.toMillis(), TimeUnit.MILLISECONDS), killSession, started);
        } catch (TimeoutException | InterruptedException e) {
            h.cancel();
            try {
                Ends late = f.get();
                if (late != null) {
                    late.close();
                }
            } catch (ExecutionException | InterruptedException x) {
                // nothing was opened
            } finally {
                h.release();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the forker answered");
            }
            return null;
        } catch (ExecutionException e) {
            throw new IOException("forker call failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The opens, each waiting for the wrapper's side; cancel() makes the waiting one return. */
    private static final class Handshake {
        private final Path dir;
        private volatile boolean cancelled;
        private final List<Closeable> holders = new ArrayList<>();

        Handshake(Path dir) {
            this.dir = dir;
        }

        Ends open() throws IOException {
            List<Closeable> got = new ArrayList<>();
            try {
                FileInputStream rc = add(got, new FileInputStream(dir.resolve("rc").toFile()));
                check();
                FileOutputStream in = add(got, new FileOutputStream(dir.resolve("in").toFile()));
                check();
                FileInputStream out = add(got, new FileInputStream(dir.resolve("out").toFile()));
                check();
                FileInputStream err = add(got, new FileInputStream(dir.resolve("err").toFile()));
                check();
                return new Ends(rc, in, out, err);
            } catch (IOException | RuntimeException e) {
                got.forEach(ForkerProcess::quietly);
                if (cancelled) {
                    return null;
                }
                throw e;
            }
        }

        private void check() throws IOException {
            if (cancelled) {
                throw new IOException("cancelled");
            }
        }

        private static <T extends Closeable> T add(List<Closeable> got, T c) {
            got.add(c);
            return c;
        }

        /** O_RDWR never waits: each FIFO then has both ends, so the pending open returns. */
        synchronized void cancel() {
            cancelled = true;
            for (String n : List.of("rc", "in", "out", "err")) {
                try {
                    holders.add(new RandomAccessFile(dir.resolve(n).toFile(), "rw"));
                } catch (IOException e) {
                    // gone: nothing can wait on it
                }
            }
        }

        synchronized void release() {
            holders.forEach(ForkerProcess::quietly);
        }
    }

    // Both directions move through one native buffer each: heap buffers would add two copies
    // per step (the JDK's temporary direct buffer, and the stream's native copy). The buffers
    // are freed when the call ends, not when a later GC finds them.
    private void fromQube(FileInputStream src, Pipe.SinkChannel sink) {
        try (Arena arena = Arena.ofConfined(); FileChannel from = src.getChannel()) {
            ByteBuffer b = arena.allocate(BUFFER).asByteBuffer();
            while (from.read(b.clear()) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    sink.write(b);
                }
            }
        } catch (IOException e) {
            // the reader closed its end, or the call was killed
        } finally {
            quietly(src);
            quietly(sink);
        }
    }

    private void toQube(Pipe.SourceChannel src, FileOutputStream dst) {
        try (Arena arena = Arena.ofConfined(); FileChannel to = dst.getChannel()) {
            ByteBuffer b = arena.allocate(BUFFER).asByteBuffer();
            while (src.read(b.clear()) >= 0) {
                b.flip();
                while (b.hasRemaining()) {
                    to.write(b);
                }
            }
        } catch (IOException e) {
            // the call closed its stdin or ended; the caller's next write fails
        } finally {
            quietly(dst);
            quietly(src);
        }
    }

    private void status(FileInputStream rc) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(rc, StandardCharsets.US_ASCII), 64)) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("p ")) {
                    started.run();
                    pid.complete(parse(l));
                } else if (l.startsWith("x ")) {
                    exit.complete((int) parse(l));
                }
            }
        } catch (IOException | RuntimeException e) {
            // ends like end-of-file
        } finally {
            if (!pid.isDone()) {
                started.run();
            }
            pid.complete(-1L);
            exit.complete(KILLED);
            // The call is over: its stdin goes (a writer waiting on it would wait forever).
            quietly(in.source());
            closeUnrelayedStdin();
        }
    }

    private static long parse(String line) {
        try {
            return Long.parseLong(line.substring(2).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A stream for virtual threads: a platform thread relays it to the FIFO, started at the first call. */
    @Override
    public synchronized OutputStream stdin() {
        if (direct) {
            throw new IllegalStateException("stdin was taken as a channel");
        }
        if (!relaying) {
            relaying = true;
            IO.execute(() -> toQube(in.source(), fifoIn));
        }
        return stdin;
    }

    /**
     * The FIFO itself, for a platform thread (a write may wait in the kernel): bulk input without
     * the relay's two extra copies. Once taken, {@link #stdin()} is not available.
     */
    @Override
    public synchronized WritableByteChannel stdinChannel() {
        if (relaying) {
            return in.sink();
        }
        direct = true;
        return fifoIn.getChannel();
    }

    private synchronized void closeUnrelayedStdin() {
        if (!relaying) {
            quietly(fifoIn);
        }
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return KILLED;
        }
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    /** Kills the call's session (and what it started) from the host. */
    @Override
    public void kill() {
        long p;
        try {
            p = pid.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            p = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p = pid.getNow(-1L);
        }
        if (p > 0 && !exit.isDone()) {
            killSession.accept(p);
        }
    }

    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
        quietly(stdin);
        closeUnrelayedStdin();
        quietly(stdout);
        quietly(stderr);
        try {
            exit.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a qube that does not let its call go is stopped by its shutdown
        }
    }

    private static void quietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing an end whose peer is gone
        }
    }
}
