package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;

/**
 * The resident forker of each running qube: a busybox shell loop inside the qube (root,
 * with exactly the confinement of any root exec) that forks the daemon's execs, so an exec
 * costs a few FIFO opens instead of a host chain of setsid, nsenter, setpriv and bwrap.
 *
 * <p>The qube's init starts it ({@link ForkerScripts#FROM_INIT}), and a start waits until it
 * reads, so even a qube's first exec takes it. A qube without one (adopted from an older
 * daemon, or whose forker died) gets one through the host chain at its second exec (the
 * first two still take the chain), or at once through {@link #launchNow}. Protocol, in the
 * host directory {@code RUNTIME/forker} (root's, bound read-only into the init's and the
 * forker's view at {@link ForkerScripts#DIR}):
 * <pre>
 * ctl          FIFO, the qube root's only (0600): one call id per line
 * forker.sh    the loop; call.sh runs one call
 * ID/          per call, the qube root's (0700): FIFOs rc in out err and the call's script
 * </pre>
 * The daemon writes {@code ID} to ctl only when a reader has it open (else the old chain
 * runs the exec and the forker is started), opens the call's FIFOs, and removes {@code ID/}
 * once the script runs (its {@code p} line): the open ends stay. A forker that does not answer in {@link #ANSWER} makes the exec
 * take the old chain too; no exec waits longer for it.
 */
final class Forker {
    static final Duration ANSWER = Duration.ofSeconds(15);
    /** {@code -Dqubicle.forker=false} turns the forker off (every exec takes the chain), for comparisons. */
    static final boolean ENABLED = !"false".equals(System.getProperty("qubicle.forker"));

    /** Whether a qube's init starts its forker: it runs on the host's static busybox, bound in. */
    static boolean fromInit() {
        return ENABLED && Files.isExecutable(org.qubicle.driver.rootfs.BusyboxRootfs.BUSYBOX);
    }
    /** A forker that died is started again at most this often. */
    private static final long RELAUNCH_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How the driver starts the forker: under the qube's lock, only while it runs (else the
     * files of a stopped qube would come back), {@link #prepare} and the old exec chain with
     * the forker's bwrap arguments.
     */
    @FunctionalInterface
    interface Launcher {
        Process start() throws IOException;
    }

    /** The forker started for the qube of {@code qubePid}; process null: only its first exec was seen. */
    private record Launch(long qubePid, long at, Process process) {
    }

    private final ConcurrentHashMap<Path, Launch> launches = new ConcurrentHashMap<>();

    /**
     * Runs {@code e} through the qube's forker, or returns empty when the qube has no
     * working forker (then one is started for the next exec) or is paused.
     */
    Optional<QubeProcess> exec(QubeFiles f, long qubePid, QubeCgroup cg, ExecSpec e, Launcher launcher) {
        if (!ENABLED) {
            return Optional.empty();
        }
        Path ctl = f.forkerDir().resolve("ctl");
        try {
            if (!Files.exists(ctl, LinkOption.NOFOLLOW_LINKS)) {
                launchLater(f, qubePid, launcher);
                return Optional.empty();
            }
            if (cg.frozen()) {
                return Optional.empty(); // a paused forker answers only after unpause
            }
        } catch (IOException x) {
            return Optional.empty();
        }
        String id = HexFormat.of().toHexDigits(RANDOM.nextLong());
        final Path callDir = f.forkerDir().resolve(id);
        Path dir = callDir;
        int owner = (int) f.sandbox().baseUid();
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            chown(dir, owner);
            for (String n : List.of("rc", "in", "out", "err")) {
                Mounts.fifo(dir.resolve(n));
                chown(dir.resolve(n), owner);
            }
            Files.writeString(dir.resolve("script"), ForkerScripts.callScript(e), StandardCharsets.UTF_8);
            if (!Mounts.writeIfRead(ctl, (id + "\n").getBytes(StandardCharsets.US_ASCII))) {
                launchLater(f, qubePid, launcher);
                return Optional.empty();
            }
            ForkerProcess p = ForkerProcess.connect(dir, ANSWER, inner -> killSession(cg, inner), () -> remove(callDir));
            if (p != null) {
                dir = null; // the call removes it once its script runs
            }
            return Optional.ofNullable(p);
        } catch (IOException | RuntimeException x) {
            return Optional.empty();
        } finally {
            if (dir != null) {
                remove(dir);
            }
        }
    }

    private static void remove(Path dir) {
        try {
            Host.deleteTree(dir);
        } catch (IOException x) {
            // removed with the runtime directory when the qube stops
        }
    }

    /**
     * Starts the qube's forker now, unless one runs, and waits up to {@code wait} until it
     * reads its control FIFO (a write of nothing that finds a reader).
     */
    void launchNow(QubeFiles f, long qubePid, Launcher launcher, Duration wait) {
        if (!ENABLED || awaitReader(f, Duration.ZERO)) {
            return; // the init's forker, or one started earlier, reads
        }
        launches.compute(f.dir(), (k, old) -> {
            if (old != null && old.qubePid() == qubePid && old.process() != null && old.process().isAlive()) {
                return old;
            }
            try {
                return new Launch(qubePid, System.nanoTime(), launcher.start());
            } catch (IOException | RuntimeException e) {
                return old;
            }
        });
        awaitReader(f, wait);
    }

    /**
     * Waits up to {@code wait} until a forker reads the qube's control FIFO (a write of
     * nothing that finds a reader); whether one does.
     */
    static boolean awaitReader(QubeFiles f, Duration wait) {
        if (!ENABLED) {
            return false;
        }
        Path ctl = f.forkerDir().resolve("ctl");
        long end = System.nanoTime() + wait.toNanos();
        for (int round = 0; ; round++) {
            if (Files.exists(ctl, LinkOption.NOFOLLOW_LINKS) && Mounts.writeIfRead(ctl, new byte[0])) {
                return true;
            }
            if (System.nanoTime() >= end || Thread.currentThread().isInterrupted()) {
                return false;
            }
            StartSteps.pause(round);
        }
    }

    /**
     * Starts the forker in the background unless one runs or was started lately for this
     * qube. Only from a qube's second exec on: a qube that gets one exec (a disposable's
     * single call) would pay a second chain for nothing.
     */
    private void launchLater(QubeFiles f, long qubePid, Launcher launcher) {
        Launch l = launches.get(f.dir());
        if (l == null || l.qubePid() != qubePid) {
            Launch seen = new Launch(qubePid, System.nanoTime(), null);
            if (l == null ? launches.putIfAbsent(f.dir(), seen) == null : launches.replace(f.dir(), l, seen)) {
                return; // first exec seen
            }
        }
        if (!due(launches.get(f.dir()), qubePid)) {
            return;
        }
        Thread.ofVirtual().name("qubicle-forker-launch").start(() -> launches.compute(f.dir(), (k, old) -> {
            if (!due(old, qubePid)) {
                return old;
            }
            try {
                return new Launch(qubePid, System.nanoTime(), launcher.start());
            } catch (IOException | RuntimeException e) {
                return old;
            }
        }));
    }

    /** Whether to start a forker: none yet for this qube (only its first exec seen), or one died a while ago. */
    private static boolean due(Launch l, long qubePid) {
        if (l == null || l.qubePid() != qubePid) {
            return false;
        }
        if (l.process() == null) {
            return true;
        }
        return !l.process().isAlive() && System.nanoTime() - l.at() >= RELAUNCH_NANOS;
    }

    /** Writes the forker's directory: root's and 0711, so the qube's user cannot even list it. */
    static void prepare(QubeFiles f) throws IOException {
        Path d = f.forkerDir();
        Files.createDirectories(d);
        Files.setAttribute(d, "unix:mode", 0711);
        Files.writeString(d.resolve("forker.sh"), ForkerScripts.FORKER);
        Files.writeString(d.resolve("call.sh"), ForkerScripts.CALL);
        Path ctl = d.resolve("ctl");
        Files.deleteIfExists(ctl);
        Mounts.fifo(ctl);
        chown(ctl, (int) f.sandbox().baseUid());
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * SIGKILL to the call's session and the leader's descendants, found among the qube's
     * cgroup: the leader is the process whose innermost pid (NSpid) is {@code inner}.
     */
    static void killSession(QubeCgroup cg, long inner) {
        List<Long> pids;
        try {
            pids = new ArrayList<>(cg.pids());
        } catch (RuntimeException e) {
            return; // the qube is gone, and its processes with it
        }
        long leader = -1;
        for (long p : pids) {
            if (innermostPid(p) == inner) {
                leader = p;
                break;
            }
        }
        if (leader < 0) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(leader);
        h.ifPresent(x -> x.descendants().forEach(ProcessHandle::destroyForcibly));
        for (long p : pids) {
            if (session(p) == leader) {
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        h.ifPresent(ProcessHandle::destroyForcibly);
    }

    private static long innermostPid(long hostPid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"))) {
                if (l.startsWith("NSpid:")) {
                    String[] f = l.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Field 6 of /proc/PID/stat: the session id, as a host pid. */
    private static long session(long hostPid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(hostPid), "stat"));
            return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
