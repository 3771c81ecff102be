package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.SandboxSpec;

/**
 * The driver's files in a qube's runtime directory. All of them go when the qube stops.
 * <pre>
 * RUNTIME/bwrap.state    pid, start time and cgroup of the running qube (for reattach)
 * RUNTIME/seccomp.bpf    the compiled seccomp filter bwrap reads
 * RUNTIME/console.log    the init's stdout and stderr
 * RUNTIME/bwrap.args     FIFO: bwrap's options, written once the storage is ready (see BwrapDriver)
 * RUNTIME/root/          overlay mount point when the root is writable
 * RUNTIME/home/          bind mount of PRIVATE/home, pinned at start (see BwrapDriver)
 * RUNTIME/shared/{tmp,run,shm}   the qube's /tmp, /run and /dev/shm, shared by all its processes
 * RUNTIME/forker/        the resident forker's scripts, control FIFO and per-call FIFOs (see Forker)
 * </pre>
 */
record QubeFiles(SandboxSpec sandbox) {
    QubeFiles(QubeSpec spec) {
        this(spec.sandbox());
    }

    Path dir() {
        return sandbox.runtimeDir();
    }

    Path state() {
        return dir().resolve("bwrap.state");
    }

    Path seccomp() {
        return dir().resolve("seccomp.bpf");
    }

    Path console() {
        return dir().resolve("console.log");
    }

    Path args() {
        return dir().resolve("bwrap.args");
    }

    Path mergedRoot() {
        return dir().resolve("root");
    }

    Path home() {
        return dir().resolve("home");
    }

    Path shared() {
        return dir().resolve("shared");
    }

    /** The resident forker's directory, bound read-only into the forker's view. */
    Path forkerDir() {
        return dir().resolve("forker");
    }

    /** Overlay work directory: beside upperDir, as overlayfs requires the same filesystem. */
    static Optional<Path> workDir(QubeSpec spec) {
        return spec.upperDir().map(u -> u.resolveSibling(u.getFileName() + ".work"));
    }

    /** What bwrap binds at {@code /}. */
    Path root(QubeSpec spec) {
        return spec.upperDir().isPresent() ? mergedRoot() : spec.rootfs();
    }

    /**
     * The cgroup leaf: the qube name plus a hash of its runtime directory, so that two
     * Qubicle instances with a same-named qube never share a cgroup.
     */
    String cgroupLeaf() {
        byte[] h;
        try {
            h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(dir().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return sandbox.name() + "-" + HexFormat.of().formatHex(h, 0, 4);
    }

    record State(long pid, long startTime, Instant started) {
    }

    void writeState(State s) throws IOException {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(s.pid()));
        p.setProperty("starttime", Long.toString(s.startTime()));
        p.setProperty("started", s.started().toString());
        p.setProperty("index", Integer.toString(sandbox.index()));
        Path tmp = dir().resolve("bwrap.state.tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "qubicle bwrap driver");
        }
        Files.move(tmp, state(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Optional<State> readState() {
        if (!Files.exists(state())) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(state())) {
            p.load(r);
            return Optional.of(new State(Long.parseLong(p.getProperty("pid")),
                    Long.parseLong(p.getProperty("starttime")), Instant.parse(p.getProperty("started"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes every file the driver made (not the runtime directory itself); {@code spec}
     * is the qube's whole spec, or empty when the start never got that far.
     */
    void removeAll(Optional<QubeSpec> spec) throws IOException {
        Files.deleteIfExists(state());
        Files.deleteIfExists(dir().resolve("bwrap.state.tmp"));
        Files.deleteIfExists(seccomp());
        Files.deleteIfExists(console());
        Files.deleteIfExists(args());
        Host.deleteTree(shared());
        Host.deleteTree(forkerDir());
        Files.deleteIfExists(mergedRoot());
        Files.deleteIfExists(home());
        Optional<Path> work = spec.flatMap(QubeFiles::workDir);
        if (work.isPresent()) {
            Host.deleteTree(work.get());
        }
    }
}
