package org.qubicle.driver.bwrap;

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
 * from sh to bwrap. A start uses {@link #START_WRAP} instead, with which bwrap makes the
 * user namespace itself. bwrap always runs as the qube's base uid, never as root: the user
 * namespace is owned by that uid, so it holds capabilities only inside the qube.
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
        String base = Long.toString(f.sandbox().baseUid());
        c.addAll(List.of(Host.requireTool("setpriv"), "--reuid=" + base, "--regid=" + base, "--clear-groups",
                Host.requireTool("bwrap")));
        c.addAll(bwrapArgs);
        return c;
    }

    /**
     * The start wrapper, run as root: joins the qube's cgroups, opens the seccomp program as
     * fd 5 and bwrap's options FIFO as fd 8, and passes its stdin (a pipe from the daemon) as
     * fd 6 and its stdout (a pipe to the daemon) as fd 7 before it execs the rest; its own
     * stdout and stderr then go to the console (the daemon's stderr redirect).
     * <ul>
     *   <li>bwrap reads its options from fd 8 ({@code --args}) until the daemon, holding the
     *       FIFO's other end, has written them and closed it: everything up to here runs
     *       while the qube's storage is still being prepared.
     *   <li>bwrap makes the user namespace itself ({@code --unshare-user}), reports its
     *       child's pid on fd 7 ({@code --info-fd}) and waits on fd 6
     *       ({@code --userns-block-fd}) while the daemon writes {@code 0 BASE 65536} as the
     *       child's uid and gid maps: bubblewrap's documented way to map a range from outside.
     * </ul>
     */
    static final String START_WRAP = """
            n=$1; shift; i=0
            while [ $i -lt $n ]; do echo $$ > "$1" || exit 125; shift; i=$((i+1)); done
            exec 5<"$1" 8<"$2" 6<&0 7>&1 </dev/null >&2 || exit 125
            shift 2; exec "$@"
            """;

    /**
     * The host command that starts a qube: {@link #START_WRAP}, then [nsenter --net] setpriv
     * bwrap {@code --args 8} and the init's command ({@code forker}: whether the init starts
     * the forker).
     */
    static List<String> startCommand(QubeFiles f, List<Path> procsFiles, Optional<Path> netns, boolean forker) {
        List<String> c = new ArrayList<>();
        c.addAll(List.of(Host.requireTool("setsid"), Host.requireTool("sh"), "-c", START_WRAP, "sh"));
        c.add(Integer.toString(procsFiles.size()));
        procsFiles.forEach(p -> c.add(p.toString()));
        c.add(f.seccomp().toString());
        c.add(f.args().toString());
        String base = Long.toString(f.sandbox().baseUid());
        if (netns.isPresent()) {
            // nsenter also drops to the base uid (setgroups, setgid, setuid): one exec less.
            c.addAll(List.of(Host.requireTool("nsenter"), "--net=" + netns.get(), "--setuid=" + base,
                    "--setgid=" + base, "--"));
        } else {
            c.addAll(List.of(Host.requireTool("setpriv"), "--reuid=" + base, "--regid=" + base, "--clear-groups"));
        }
        c.addAll(List.of(Host.requireTool("bwrap"), "--args", "8", "--"));
        c.addAll(BwrapArgs.initCommand(forker));
        return c;
    }
}
