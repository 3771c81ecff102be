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
 * from sh to bwrap. A start uses {@link #START_WRAP}, which also makes the user namespace. bwrap itself runs as the qube's base uid, never as root: it joins
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
     * The start wrapper, run as root: opens the FIFO {@code RUNTIME/holder.fifo} as fd 6,
     * starts the holder in the background (as the base uid, {@code unshare --user}, then a
     * shell that says so on fd 6 and sleeps), and joins the qube's cgroups. The holder stays
     * in the daemon's cgroup: under CPU contention a qube's cgroup gets one group's share,
     * and the holder is gone before the qube runs anything. Once the holder has spoken it
     * has its own user namespace: the wrapper writes {@code 0 BASE 65536} as its uid and gid
     * maps, opens that namespace as fd 3 and the seccomp program as fd 5, kills and reaps the
     * holder (fd 3 keeps the namespace; the qube's processes keep it afterwards) and execs the
     * rest. One spawn from Java instead of two, and no polling anywhere.
     */
    static final String START_WRAP = """
            base=$1 seccomp=$2 fifo=$3 setpriv=$4 unshare=$5 sh=$6 sleep=$7; shift 7
            exec 6<>"$fifo" || exit 125
            "$setpriv" --reuid="$base" --regid="$base" --clear-groups "$unshare" --user -- \
                "$sh" -c 'echo >&6; exec 6>&-; exec "$0" infinity' "$sleep" </dev/null >/dev/null 2>&1 &
            h=$!
            n=$1; shift; i=0
            while [ $i -lt $n ]; do echo $$ > "$1" || { kill -9 $h; wait $h; exit 125; }; shift; i=$((i+1)); done
            if read _ <&6 && echo "0 $base 65536" > /proc/$h/uid_map && echo "0 $base 65536" > /proc/$h/gid_map \
                    && exec 3</proc/$h/ns/user 4</dev/null 5<"$seccomp" 6<&-; then
                kill -9 $h; wait $h
                exec "$@"
            fi
            echo "qubicle: the qube's user namespace could not be made" >&2
            kill -9 $h; wait $h; exit 125
            """;

    /** The host command that starts a qube: {@link #START_WRAP}, then [nsenter --net] setpriv bwrap. */
    static List<String> startCommand(QubeFiles f, List<Path> procsFiles, Optional<Path> netns, List<String> bwrapArgs) {
        List<String> c = new ArrayList<>();
        c.addAll(List.of(Host.requireTool("setsid"), Host.requireTool("sh"), "-c", START_WRAP, "sh"));
        String base = Long.toString(f.spec().baseUid());
        c.addAll(List.of(base, f.seccomp().toString(), f.holderFifo().toString(), Host.requireTool("setpriv"),
                Host.requireTool("unshare"), Host.requireTool("sh"), Host.requireTool("sleep")));
        c.add(Integer.toString(procsFiles.size()));
        procsFiles.forEach(p -> c.add(p.toString()));
        if (netns.isPresent()) {
            c.addAll(List.of(Host.requireTool("nsenter"), "--net=" + netns.get(), "--"));
        }
        c.addAll(List.of(Host.requireTool("setpriv"), "--reuid=" + base, "--regid=" + base, "--clear-groups",
                Host.requireTool("bwrap")));
        c.addAll(bwrapArgs);
        return c;
    }
}
