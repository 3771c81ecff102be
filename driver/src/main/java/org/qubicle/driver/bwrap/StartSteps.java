package org.qubicle.driver.bwrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.seccomp.SeccompFilter;
import org.qubicle.model.exc.QubesVMError;

/**
 * The steps of a qube's start ({@link BwrapDriver#start(org.qubicle.driver.SandboxSpec,
 * java.util.function.Supplier)}) that need no driver state: the runtime files, the files that
 * need the storage, bwrap's options through their FIFO, and the waits for the wrapper, the
 * init and the init's forker.
 */
final class StartSteps {
    private static final int SIGTERM = 15;

    private StartSteps() {
    }

    /** bwrap's {@code --args} format: each argument ends with a NUL. */
    static void writeOptions(FileChannel fifo, List<String> args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String a : args) {
            if (a.indexOf('\0') >= 0) {
                throw new QubesVMError("a bwrap argument holds a NUL");
            }
            b.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        if (b.size() > MAX_OPTIONS) {
            // More than a pipe holds would block us if bwrap died; no real spec comes near.
            throw new QubesVMError("bwrap's options are too long: " + b.size() + " bytes");
        }
        ByteBuffer buf = ByteBuffer.wrap(b.toByteArray());
        while (buf.hasRemaining()) {
            fifo.write(buf);
        }
    }

    /** Waits until the wrapper has the options FIFO open as its fd 8 (it does so before its first exec). */
    static void awaitReader(QubeFiles f, Process bwrap) throws IOException {
        Path fifo = f.args().toRealPath();
        Path fd8 = Path.of("/proc", Long.toString(bwrap.pid()), "fd", "8");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int round = 0; System.nanoTime() < deadline; round++) {
            try {
                if (Files.readSymbolicLink(fd8).equals(fifo)) {
                    return;
                }
            } catch (IOException e) {
                // not open yet (or the wrapper is gone: checked next)
            }
            if (!bwrap.isAlive()) {
                throw new QubesVMError("qube " + f.sandbox().name() + " failed to start:" + consoleTail(f, bwrap));
            }
            pause(round);
        }
        throw new QubesVMError("qube " + f.sandbox().name() + " failed to start: its wrapper never read its options");
    }

    /** Below Linux's default pipe buffer (64 KiB). */
    private static final int MAX_OPTIONS = 60 * 1024;

    /**
     * The runtime files that need only the sandbox: directories, seccomp, shared dirs, the
     * options FIFO, and the forker's files when the init starts it.
     */
    static void prepareRuntime(QubeFiles f, boolean forker) throws IOException {
        Files.createDirectories(f.dir());
        f.removeAll(Optional.empty());
        Files.write(f.seccomp(), Seccomp.PROGRAM);
        Mounts.fifo(f.args());
        if (forker) {
            Forker.prepare(f); // the init starts the forker, bound from here
        }
        for (String d : List.of("tmp", "run", "shm")) {
            Path p = f.shared().resolve(d);
            Files.createDirectories(p);
            chown(p, f.sandbox().baseUid());
            // tmp and shm sticky, as everywhere: users cannot remove each other's files
            Files.setAttribute(p, "unix:mode", d.equals("run") ? 0755 : 01777);
        }
    }

    /** What needs the storage: checks, the pinned home, the root overlay. */
    static void prepareFiles(QubeFiles f, QubeSpec spec) throws IOException {
        if (!Files.isDirectory(spec.rootfs())) {
            throw new QubesVMError("root filesystem missing: " + spec.rootfs());
        }
        Path home = spec.privateDir().resolve("home");
        if (!Files.isDirectory(home, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new QubesVMError("private volume has no home directory: " + spec.privateDir());
        }
        // /home is PRIVATE/home, which the qube's root may replace by a symlink while the
        // qube runs; bwrap resolves bind sources on the host, so an exec binding that path
        // could be pointed anywhere. Pin it now, while the qube is not running and the
        // check above holds, with a bind mount in the runtime dir that the qube cannot touch.
        Files.createDirectories(f.home());
        try {
            Mounts.bind(home, f.home());
        } catch (IOException e) {
            throw new QubesVMError("cannot bind the home directory of " + spec.name() + ": " + e.getMessage());
        }
        if (spec.upperDir().isPresent()) {
            Path upper = spec.upperDir().get();
            Path work = QubeFiles.workDir(spec).orElseThrow();
            Host.deleteTree(work); // an earlier run's, if a crash left it
            Files.createDirectories(upper);
            Files.createDirectories(work);
            Files.createDirectories(f.mergedRoot());
            try {
                Mounts.overlay(spec.rootfs(), upper, work, f.mergedRoot());
            } catch (IOException e) {
                throw new QubesVMError("cannot mount the root of " + spec.name() + ": " + e.getMessage());
            }
        }
    }

    /** The filter is the same for every qube: compiled once. */
    static final class Seccomp {
        static final byte[] PROGRAM = SeccompFilter.compile();
    }

    static void chown(Path p, long uid) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid);
        Files.setAttribute(p, "unix:gid", (int) uid);
    }

    /** What the qube's console says, once bwrap has ended (its reason for failing). */
    static String consoleTail(QubeFiles f, Process bwrap) {
        try {
            bwrap.waitFor(2, TimeUnit.SECONDS);
            String log = Files.exists(f.console()) ? Files.readString(f.console()).strip() : "";
            return log.isEmpty() ? "" : " (" + log + ")";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Waits until the init shell inside has its SIGTERM handler, i.e. can shut down cleanly. */
    static void awaitInit(QubeFiles f, Process bwrap) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int round = 0; System.nanoTime() < deadline; round++) {
            if (!bwrap.isAlive()) {
                String log = Files.exists(f.console()) ? Files.readString(f.console()).strip() : "";
                throw new QubesVMError("qube " + f.sandbox().name() + " failed to start: " + log);
            }
            Optional<Long> sh = BwrapDriver.initShell(bwrap.pid());
            if (sh.isPresent() && Host.catches(sh.get(), SIGTERM)) {
                return;
            }
            pause(round);
        }
        throw new QubesVMError("qube " + f.sandbox().name() + " init did not come up");
    }

    /**
     * The pause between two looks at a starting qube: a quarter of a millisecond for its first
     * 10 ms, when each step of a start is due, then a millisecond.
     */
    static void pause(int round) {
        try {
            Thread.sleep(round < 40 ? POLL_FIRST : POLL_LATER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.time.Duration POLL_FIRST = java.time.Duration.ofNanos(250_000);
    private static final java.time.Duration POLL_LATER = java.time.Duration.ofMillis(1);
}
