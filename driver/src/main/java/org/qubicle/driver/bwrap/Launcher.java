package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the host command line that puts a process into a qube:
 * <pre>
 * setsid sh -c WRAP N cgroup.procs... USERNS PIDNS SECCOMP \
 *     [nsenter --net=.. --uts=.. --ipc=.. --cgroup=.. --] \
 *     setpriv --reuid=BASE --regid=BASE --clear-groups bwrap ARGS
 * </pre>
 * The wrapper (running as root) joins the qube's cgroups, opens the namespace and seccomp
 * files as fds 3, 4 and 5, and execs; every step execs, so the host pid stays the same
 * from sh to bwrap. bwrap itself runs as the qube's base uid, never as root: it joins
 * the user namespace owned by that uid, so it holds capabilities only inside the qube.
 */
final class Launcher {
    static final String WRAP = """
            n=$1; shift; i=0
            while [ $i -lt $n ]; do echo $$ > "$1" || exit 125; shift; i=$((i+1)); done
            exec 3<"$1" 4<"$2" 5<"$3" || exit 125
            shift 3; exec "$@"
            """;

    private Launcher() {
    }

    /**
     * @param joinPid     a running process of the qube whose net/uts/ipc/cgroup namespaces
     *                    to join (exec), or empty (start)
     * @param netns       a network namespace path to join at start, if any
     */
    static List<String> command(QubeFiles f, List<Path> procsFiles, Path userns, Path pidns,
                                Optional<Long> joinPid, Optional<Path> netns, List<String> bwrapArgs) {
        List<String> c = new ArrayList<>();
        c.addAll(List.of(Host.requireTool("setsid"), Host.requireTool("sh"), "-c", WRAP, "sh"));
        c.add(Integer.toString(procsFiles.size()));
        procsFiles.forEach(p -> c.add(p.toString()));
        c.addAll(List.of(userns.toString(), pidns.toString(), f.seccomp().toString()));
        if (joinPid.isPresent()) {
            String proc = "/proc/" + joinPid.get() + "/ns/";
            c.addAll(List.of(Host.requireTool("nsenter"), "--net=" + proc + "net", "--uts=" + proc + "uts",
                    "--ipc=" + proc + "ipc", "--cgroup=" + proc + "cgroup", "--"));
        } else if (netns.isPresent()) {
            c.addAll(List.of(Host.requireTool("nsenter"), "--net=" + netns.get(), "--"));
        }
        String base = Long.toString(f.spec().baseUid());
        c.addAll(List.of(Host.requireTool("setpriv"), "--reuid=" + base, "--regid=" + base, "--clear-groups",
                Host.requireTool("bwrap")));
        c.addAll(bwrapArgs);
        return c;
    }

    /**
     * Starts the holder: a process as the base uid that has just made a fresh user
     * namespace, then waits until root has written its uid and gid maps.
     */
    static Process holder(long base) throws IOException {
        String b = Long.toString(base);
        Process p = new ProcessBuilder(Host.requireTool("setpriv"), "--reuid=" + b, "--regid=" + b, "--clear-groups",
                Host.requireTool("unshare"), "--user", "--", Host.requireTool("sleep"), "infinity")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String hostNs = Host.ns("self", "user");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String ns = Host.ns(p.pid(), "user");
            if (!ns.isEmpty() && !ns.equals(hostNs) && p.isAlive()) {
                break;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("holder process did not make a user namespace");
            }
            QubeCgroup.sleep(1);
        }
        String map = "0 " + base + " 65536\n";
        java.nio.file.Files.writeString(Path.of("/proc", Long.toString(p.pid()), "uid_map"), map);
        java.nio.file.Files.writeString(Path.of("/proc", Long.toString(p.pid()), "gid_map"), map);
        return p;
    }
}
