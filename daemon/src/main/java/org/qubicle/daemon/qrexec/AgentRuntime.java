package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import org.qubicle.driver.QubeSpec;
import org.qubicle.qrexec.AskAgent;

/**
 * The read-only runtime of the in-qube tools (DESIGN §6), built on the host in
 * {@code $QUBES_ROOT/var/lib/qubes/qubicle-agent} and bound into every qube at
 * {@code /usr/lib/qubicle}:
 * <pre>
 * sys/      the host's dynamic loader and the few glibc libraries the JVM needs, so that the
 *           tools run in any template (the busybox one has no libc); the loader is called
 *           explicitly with --library-path
 * jdk/      mount point of the host JDK (a second read-only bind)
 * lib/      qubicle-qrexec.jar (or its classes) and the AOT cache
 * bin/      qubicle-agent (the launcher) and one symlink per tool
 * rpc/      the service scripts; the template's /etc/qubes-rpc/NAME links here
 * </pre>
 * Each template's root gets the mount point {@code /usr/lib/qubicle} and, where absent,
 * symlinks {@code /etc/qubes-rpc/SERVICE} and {@code /usr/bin/TOOL} into it, as the
 * qubes-core-agent package would install them.
 */
final class AgentRuntime {
    private static final Logger LOG = Logger.getLogger(AgentRuntime.class.getName());
    static final String MOUNT = "/usr/lib/qubicle";
    /**
     * Where the runtime goes when a qube's root cannot take the mount point (a read-only or
     * idmapped pool root): the qube's own /run, where bubblewrap can make it. The tools are then
     * in /run/qubicle/bin (last on the qube's PATH) and the services are found by the runner's last lookup
     * directory, /run/qubicle/rpc.
     */
    static final String FALLBACK = "/run/qubicle";
    /**
     * Finds the runtime: in a qube, by testing its two places with the shell alone (a
     * {@code readlink} and two {@code dirname}s cost three processes, about 3 ms of each tool's
     * start in a Debian qube); elsewhere (the host), from the script's own real path.
     */
    static final String SELF = "if [ -x " + MOUNT + "/bin/qubicle-agent ]; then Q=" + MOUNT + "\n"
            + "elif [ -x " + FALLBACK + "/bin/qubicle-agent ]; then Q=" + FALLBACK + "\n"
            + "else Q=$(dirname \"$(dirname \"$(readlink -f \"$0\")\")\"); fi\n";
    /** Where each qube sees its agent socket's directory. */
    static final String SOCKET_DIR = "/run/qubicle-qrexec";
    static final List<String> TOOLS = List.of("qrexec-client-vm", "qvm-copy", "qvm-move", "qvm-copy-to-vm",
            "qvm-move-to-vm", "qvm-open-in-vm", "qvm-open-in-dvm", "qfile-unpacker", "qopen-in-vm",
            "qrexec-socket-service");
    /** Service name, script. Trivial services are shell; the file services call our Java tools. */
    static final List<String[]> SERVICES = List.of(
            new String[] {"qubes.VMShell", "#!/bin/sh\n# qubicle: a shell reading its commands from the caller, as upstream's"
                    + " (exec /bin/bash).\n# bash reads a pipe a byte at a time, so a command reading its input gets"
                    + " all that follows its line.\n# busybox sh reads ahead: without bash, the first line is read"
                    + " exactly and run here.\nif [ -x /bin/bash ]; then exec /bin/bash; fi\n"
                    + "IFS= read -r line || exit 0\neval \"$line\"\nexec /bin/sh\n"},
            new String[] {"qubes.VMExec", VmExecService.SCRIPT},
            new String[] {"qubes.GetDate", "#!/bin/sh\n# qubicle: the qube's clock, UTC, ISO 8601\nexec date -u -Iseconds\n"},
            new String[] {"qubes.WaitForSession", "#!/bin/sh\n# qubicle: qubes have no GUI session to wait for yet\nexit 0\n"},
            new String[] {"qubes.Filecopy", "#!/bin/sh\n# qubicle: receive files into ~/QubesIncoming/$QREXEC_REMOTE_DOMAIN\n"
                    + SELF + "exec \"$Q/bin/qfile-unpacker\"\n"},
            new String[] {"qubes.OpenInVM", "#!/bin/sh\n# qubicle: open the received file, send it back if changed\n"
                    + SELF + "exec \"$Q/bin/qopen-in-vm\"\n"});

    private final Path dir;
    private final Path jdk;
    private String loader;
    private String classPath;
    /**
     * The tools' JVM. Besides the small heap and C1 only, three settings each save a few ms of a
     * cold start: reflection through native accessors, not method handles spun at run time; the
     * JDK's selector provider named, so that finding it does not scan the class path's jar; and
     * the JDK's provider-list hook exported to the tools, so that a first UNIX socket's random
     * generator comes from /dev/urandom without building the SUN provider (UrandomProvider).
     * The AOT cache records the export; the training runs with these same flags.
     */
    static final String JVM_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xmx256m -Xlog:disable"
            + " -Djdk.reflect.useNativeAccessorOnly=true"
            + " -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider"
            + " --add-exports java.base/sun.security.jca=ALL-UNNAMED"
            + " -Djdk.lang.Process.launchMechanism=FORK";

    AgentRuntime(Path dir, Path jdk) {
        this.dir = dir;
        this.jdk = jdk;
    }

    Path dir() {
        return dir;
    }

    /** (Re)builds the runtime directory. Cheap; run at daemon start. */
    void build() throws IOException {
        Files.createDirectories(dir);
        for (String d : List.of("sys", "jdk", "lib", "bin", "rpc")) {
            Files.createDirectories(dir.resolve(d));
        }
        String loader = copyLibraries();
        String cp = copyJar();
        this.loader = loader;
        this.classPath = cp;
        writeLauncher(false, false);
        for (String t : TOOLS) {
            Path link = dir.resolve("bin").resolve(t);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("qubicle-agent"));
        }
        for (String[] s : SERVICES) {
            write(dir.resolve("rpc").resolve(s[0]), s[1], true);
        }
        // the service runner as a file too, for dom0's qrexec-client (user:QUBESRPC ...)
        write(dir.resolve("bin/qrexec-service"), "#!/bin/sh\n# qubicle: run a qrexec service as qrexec-agent"
                + " would: qrexec-service SERVICE ARG\n" + ServiceRunner.SCRIPT, true);
    }

    /**
     * @param aot      whether {@code lib/agent.aot} (every tool's cache) is there
     * @param callAot  whether {@code lib/call.aot} is there: {@code qrexec-client-vm}'s own,
     *                 trained on one real call only, so its start maps and links fewer classes
     */
    private void writeLauncher(boolean aot, boolean callAot) throws IOException {
        write(dir.resolve("bin/qubicle-agent"), "#!/bin/sh\n"
                + "# qubicle in-qube tools: the host JDK through its own loader (works in any template)\n"
                + SELF
                + "tool=${0##*/}\n"
                + "if [ \"$tool\" = qubicle-agent ]; then tool=$1; shift; fi\n"
                + "aot=agent.aot\n"
                + (callAot ? "[ \"$tool\" = qrexec-client-vm ] && aot=call.aot\n" : "")
                // The cache was trained at MOUNT. The JVM takes it at FALLBACK too: it matches a
                // class path moved as a whole ("longest common prefix substitution").
                + "exec $Q/sys/" + loader + " --library-path $Q/sys $Q/jdk/bin/java " + JVM_FLAGS
                + (aot ? " -XX:AOTCache=$Q/lib/$aot" : "")
                + " -cp $Q/lib/qubicle-qrexec.jar org.qubicle.qrexec.agent.Main \"$tool\" \"$@\"\n", true);
    }

    /**
     * Makes the tools' AOT caches (JDK 25, JEP 483/514) by training runs with the exact paths
     * the qubes see, in a plain bubblewrap sandbox on the host, then switches the launcher to
     * them: {@code agent.aot} from {@code aot-training} (calls and an unpack, for every tool),
     * and {@code call.aot} from one real {@code qrexec-client-vm} call against
     * {@link TrainingAgent}, for that tool alone (about 1-2 ms less at its cold start).
     * Slow (seconds), so the daemon runs it in the background; tools start without it meanwhile.
     */
    void trainAot() {
        Path out = null;
        try {
            // Beside the runtime, inside this daemon's root, not in /tmp: a daemon killed during
            // training (SIGKILL) leaves its directory there, and the next training removes it.
            Path work = dir.resolveSibling(dir.getFileName() + ".aot-training");
            deleteTree(work);
            Files.createDirectories(work);
            out = Files.createTempDirectory(work, "run");
            String log = train(out, "agent", List.of("aot-training"), null);
            if (!log.isEmpty()) {
                LOG.warning("AOT training for the in-qube tools failed; they start without a cache: " + log);
                return;
            }
            String callLog;
            // The socket's own short directory, in /tmp: a UNIX socket path has at most 107 bytes
            // (a daemon killed right now leaves an empty socket file there, gone at reboot).
            Path sockDir = Files.createTempDirectory("qubicle-aot");
            try (TrainingAgent agent = new TrainingAgent(sockDir.resolve("agent.sock"))) {
                callLog = train(out, "call", List.of("qrexec-client-vm", "training", "qubes.Training"), sockDir);
            } catch (IOException e) {
                callLog = e.toString();
            } finally {
                deleteTree(sockDir);
            }
            if (!callLog.isEmpty()) {
                LOG.warning("AOT training of qrexec-client-vm failed; it starts from the tools' cache: " + callLog);
            }
            writeLauncher(true, callLog.isEmpty());
        } catch (IOException | RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "AOT training for the in-qube tools failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (out != null) {
                try {
                    deleteTree(out);
                } catch (IOException e) {
                    LOG.fine("cannot remove " + out);
                }
            }
        }
    }

    /**
     * Records a training run of the tools' main with {@code args}, creates {@code NAME.aot} from
     * it (two steps, both through our loader: the one-step AOTCacheOutput forks
     * $JAVA_HOME/bin/java, which needs the host's own loader) and puts it in {@code lib/}.
     * Returns "" on success, else what the JVM said.
     */
    private String train(Path out, String name, List<String> args, Path sockDir)
            throws IOException, InterruptedException {
        String conf = "/tmp/aot-out/" + name + ".aotconf";
        List<String> record = new ArrayList<>(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf,
                "-cp", classPath, "org.qubicle.qrexec.agent.Main"));
        record.addAll(args);
        String log = aotStep(out, sockDir, record) + aotStep(out, null, List.of("-XX:AOTMode=create",
                "-XX:AOTConfiguration=" + conf, "-XX:AOTCache=/tmp/aot-out/" + name + ".aot", "-cp", classPath));
        if (!Files.exists(out.resolve(name + ".aot"))) {
            return log.isEmpty() ? "no cache made" : log;
        }
        Path tmp = dir.resolve("lib/" + name + ".aot.tmp");
        Files.copy(out.resolve(name + ".aot"), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, dir.resolve("lib/" + name + ".aot"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return "";
    }

    /**
     * One JVM run in a bubblewrap view with the qubes' paths; returns its output. With
     * {@code sockDir}, its {@code agent.sock} is the run's qrexec agent socket.
     */
    private String aotStep(Path out, Path sockDir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bwrap", "--ro-bind", "/", "/", "--tmpfs", "/usr/lib",
                "--ro-bind", dir.toString(), MOUNT, "--ro-bind", jdk.toString(), MOUNT + "/jdk",
                "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", out.toString(), "/tmp/aot-out"));
        if (sockDir != null) {
            cmd.addAll(List.of("--bind", sockDir.toString(), "/tmp/aot-sock",
                    "--setenv", "QREXEC_AGENT_SOCKET", "/tmp/aot-sock/agent.sock"));
        }
        cmd.addAll(List.of("--die-with-parent", "--", MOUNT + "/sys/" + loader, "--library-path", MOUNT + "/sys",
                MOUNT + "/jdk/bin/java"));
        cmd.addAll(List.of(JVM_FLAGS.split(" ")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String log = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return log;
    }

    /** The class path inside the qube. */
    private String copyJar() throws IOException {
        Path src;
        try {
            src = Path.of(AskAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path jar = dir.resolve("lib/qubicle-qrexec.jar");
        Files.deleteIfExists(dir.resolve("lib/agent.aot"));
        Files.deleteIfExists(dir.resolve("lib/call.aot"));
        if (Files.isDirectory(src)) {
            jarTree(src, jar); // a class directory (a build's target/classes): AOT caches need jars
        } else {
            Files.copy(src, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        return MOUNT + "/lib/qubicle-qrexec.jar";
    }

    /** Copies the loader and the libraries {@code ldd} names for the JVM; returns the loader's name. */
    private String copyLibraries() throws IOException {
        Set<String> libs = new LinkedHashSet<>();
        String loader = null;
        List<String> cmd = new ArrayList<>(List.of("ldd", jdk.resolve("bin/java").toString(),
                jdk.resolve("lib/server/libjvm.so").toString()));
        for (String l : List.of("libjava.so", "libnio.so", "libnet.so", "libzip.so", "libjimage.so", "libextnet.so")) {
            if (Files.exists(jdk.resolve("lib").resolve(l))) {
                cmd.add(jdk.resolve("lib").resolve(l).toString());
            }
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        for (String line : out.split("\n")) {
            String t = line.strip();
            int arrow = t.indexOf("=> /");
            if (arrow >= 0) {
                String path = t.substring(arrow + 3).split(" ")[0];
                if (!path.startsWith(jdk.toString())) {
                    libs.add(path);
                }
            } else if (t.startsWith("/") && t.contains("ld-linux")) {
                String path = t.split(" ")[0];
                libs.add(path);
                loader = Path.of(path).getFileName().toString();
            }
        }
        if (loader == null) {
            throw new IOException("cannot find the dynamic loader of " + jdk + ": " + out);
        }
        for (String l : libs) {
            Path target = dir.resolve("sys").resolve(Path.of(l).getFileName().toString());
            Files.copy(Path.of(l), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return loader;
    }

    /** The binds every qube gets: the runtime, the JDK, and its own qrexec socket directory. */
    List<QubeSpec.Bind> binds(Path socketDir, boolean inRoot) {
        String at = inRoot ? MOUNT : FALLBACK;
        return List.of(new QubeSpec.Bind(dir, at, true), new QubeSpec.Bind(jdk, at + "/jdk", true),
                new QubeSpec.Bind(socketDir, SOCKET_DIR, true));
    }

    /** Mount point and, where absent, the service and tool links in a template's root. */
    void prepareRoot(Path rootfs) {
        try {
            Files.createDirectories(rootfs.resolve(MOUNT.substring(1)));
            Path rpc = rootfs.resolve("etc/qubes-rpc");
            Files.createDirectories(rpc);
            for (String[] s : SERVICES) {
                link(rpc.resolve(s[0]), MOUNT + "/rpc/" + s[0]);
            }
            Path bin = rootfs.resolve("usr/bin");
            Files.createDirectories(bin);
            for (String t : TOOLS) {
                link(bin.resolve(t), MOUNT + "/bin/" + t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing " + rootfs + " for qrexec", e);
        }
    }

    private static void link(Path at, String to) throws IOException {
        if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(at, Path.of(to));
        }
    }

    private static void write(Path p, String text, boolean exec) throws IOException {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void jarTree(Path from, Path jar) throws IOException {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    out.putNextEntry(new java.util.jar.JarEntry(from.relativize(f).toString()));
                    Files.copy(f, out);
                    out.closeEntry();
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    static {
        LOG.fine("agent runtime loaded");
    }
}
