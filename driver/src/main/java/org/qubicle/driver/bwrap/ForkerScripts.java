package org.qubicle.driver.bwrap;

import java.util.List;
import java.util.Map;
import org.qubicle.driver.ExecSpec;

/**
 * The shell side of the resident forker (see {@link Forker}). Everything runs under the
 * host's static busybox bound at {@link BwrapArgs#SU}, so the forker itself needs nothing
 * from the template; only a user call's last step uses the qube's own {@code /bin/sh} (as
 * the exec chain's su does).
 *
 * <p>Why xargs: a shell starting a job with {@code &} sets SIGINT and SIGQUIT to ignored
 * in it (no job control without a terminal), and ignored signals survive exec, so every
 * call would run with them ignored. xargs runs in the foreground of the loop and forks its
 * children itself ({@code -P}), with default signal actions, as a process started by the
 * old exec chain has.
 */
final class ForkerScripts {
    /** Where the forker's host directory appears inside the forker's view of the qube. */
    static final String DIR = "/dev/.qubicle/forker";

    /**
     * The forker: holds the control FIFO open read-write (so it never sees end-of-file)
     * and hands each line to xargs, which runs {@link #CALL} per line. fd 7 is closed for
     * xargs and its children: no call inherits the control FIFO (nor the namespace and
     * seccomp fds 3 to 5 the exec chain leaves open).
     */
    static final String FORKER = """
            B=/dev/.qubicle/busybox F=/dev/.qubicle/forker
            [ -x /bin/sh ] || exit 0
            exec 7<>$F/ctl </dev/null >/dev/null 3<&- 4<&- 5<&-
            while :; do
                $B xargs -r -n 1 -P 1024 $B sh $F/call.sh <&7 7<&-
                $B sleep 0.2
            done
            """;

    /**
     * How the init starts the forker, without waiting for it. Not with {@code &}: a shell
     * sets SIGINT and SIGQUIT to ignored in an asynchronous command, and no shell can undo
     * that, so every call would inherit them ignored. Instead the first setsid, a foreground
     * command of the init and so no process group leader, makes a new session and execs the
     * second; that one, now a group leader, cannot, so it forks, returns at once, and its child
     * makes another session and execs the forker with default signal actions. pid 1 adopts it.
     */
    static final String FROM_INIT = BwrapArgs.SU + " setsid " + BwrapArgs.SU + " setsid " + BwrapArgs.SU
            + " sh " + DIR + "/forker.sh";

    /**
     * One call ({@code $1} = its id): the daemon opens rc, in, out, err in this very order,
     * so each blocking FIFO open meets its peer. The call is a subshell that sources the
     * call's script (no exec: every exec costs here); the script reports {@code p PID} on
     * fd 3 and execs into a new session (the call's kill handle); the wrapper reports
     * {@code x CODE} when it ends. The wrapper ignores
     * SIGPIPE only after the call ended, so a daemon that stopped listening cannot kill it
     * (xargs would stop on a child killed by a signal).
     */
    static final String CALL = """
            exec </dev/null
            case $1 in ''|*[!0-9a-f]*) exit 0 ;; esac
            d=/dev/.qubicle/forker/$1
            [ -d "$d" ] || exit 0
            {
                ( exec <"$d/in" >"$d/out" 2>"$d/err"; . "$d/script" )
                r=$?
                trap '' PIPE
                echo "x $r" >&3
            } 3>"$d/rc"
            exit 0
            """;

    /** busybox setpriv's argument that leaves CAP_SETUID and CAP_SETGID inheritable, as the chain's user exec. */
    private static final String USER_INH = String.join(",", BwrapArgs.ROOT_CAPS.stream()
            .filter(c -> !c.equals("CAP_SETUID") && !c.equals("CAP_SETGID"))
            .map(c -> "-" + c.substring(4).toLowerCase(java.util.Locale.ROOT)).toList());

    private ForkerScripts() {
    }

    /**
     * The script of one call, sourced by the forker's busybox sh as the qube's root: reports
     * its pid, goes to the home directory and execs the command with exactly the
     * environment the old exec chain sets (busybox {@code env -i}), through {@code su} for
     * the user as {@link BwrapArgs#exec} does. A root command without a slash is looked up
     * in PATH by the script (busybox env would run its own applet of that name instead).
     */
    static String callScript(ExecSpec e) {
        StringBuilder s = new StringBuilder();
        // $$ is the wrapper's pid in a subshell; /proc/self is the subshell's own
        s.append("read -r p _ </proc/self/stat || exit 126; echo \"p $p\" >&3; exec 3>&-\n");
        s.append("cd ").append(quote(e.home())).append(" || exit 126\n");
        boolean search = e.uid() == 0 && !e.command().get(0).contains("/");
        if (search) {
            // execvp's PATH search in the qube's PATH: no intermediate shell (SHLVL, $0)
            // and never one of the host busybox's applets
            s.append("c=").append(quote(e.command().get(0))).append(" p=").append(quote(BwrapArgs.PATH))
                    .append("; IFS=:; for d in $p; do if [ -f \"$d/$c\" ] && [ -x \"$d/$c\" ]; then c=\"$d/$c\";"
                            + " break; fi; done; unset IFS\n")
                    .append("case $c in */*) ;; *) echo \"$c: not found\" >&2; exit 127 ;; esac\n");
        }
        s.append("exec ").append(BwrapArgs.SU).append(" setsid ").append(BwrapArgs.SU).append(" env -i");
        arg(s, "PATH=" + BwrapArgs.PATH);
        arg(s, "HOME=" + e.home());
        arg(s, "USER=" + e.user());
        arg(s, "LOGNAME=" + e.user());
        for (Map.Entry<String, String> v : e.env().entrySet()) {
            arg(s, v.getKey() + "=" + v.getValue());
        }
        arg(s, "PWD=" + e.home()); // bwrap --chdir sets it, after the other variables
        if (e.uid() != 0) {
            arg(s, "POSIXLY_CORRECT=1");
            // the chain's user exec holds only these two before su; the forker holds root's set
            for (String a : List.of(BwrapArgs.SU, "setpriv", "--inh-caps", USER_INH, BwrapArgs.SU, "su", "-p", "-s",
                    "/bin/sh", e.user(), "-c", "unset POSIXLY_CORRECT; exec \"$0\" \"$@\"")) {
                arg(s, a);
            }
        } else if (e.command().get(0).contains("=")) {
            for (String a : List.of("/bin/sh", "-c", "exec \"$0\" \"$@\"")) {
                arg(s, a); // env would take the word for a variable
            }
        }
        if (search) {
            s.append(" \"$c\"");
        }
        for (String a : search ? e.command().subList(1, e.command().size()) : e.command()) {
            arg(s, a);
        }
        return s.append('\n').toString();
    }

    private static void arg(StringBuilder s, String a) {
        s.append(' ').append(quote(a));
    }

    /** POSIX single quoting: every byte literal, a quote as {@code '\''}. */
    static String quote(String a) {
        return "'" + a.replace("'", "'\\''") + "'";
    }
}
