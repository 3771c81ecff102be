package org.qubicle.driver.bwrap;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeSpec;

/**
 * bubblewrap arguments. The init and every exec build the same filesystem view from the
 * same host directories: mounting is forbidden inside a qube (seccomp), so that view
 * never changes and a fresh bwrap mount namespace equals the init's. Writable shared
 * state (/tmp, /run, /dev/shm) lives in host directories that all of them bind.
 */
final class BwrapArgs {
    /**
     * Namespaced capabilities root keeps inside a qube: what apt, dpkg, su and network
     * qubes need. Left out: SYS_ADMIN (mount, sethostname and the like), SYS_MODULE,
     * SYS_RAWIO, SYS_TIME, SYS_BOOT, SYS_RESOURCE (raising limits), MKNOD, SYSLOG,
     * MAC_*, AUDIT_CONTROL/READ, BPF, PERFMON, CHECKPOINT_RESTORE, IPC_LOCK, SYS_PACCT,
     * LINUX_IMMUTABLE, WAKE_ALARM, BLOCK_SUSPEND, SYS_TTY_CONFIG, LEASE.
     */
    static final List<String> ROOT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_OWNER",
            "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_NICE", "CAP_AUDIT_WRITE", "CAP_SETFCAP");

    /**
     * The qube's PATH. The last entry is where the daemon binds its in-qube tools
     * (qrexec-client-vm, qvm-copy, ...) when a qube's root cannot take them in /usr/bin (a
     * read-only pool root); a template's own programs come first.
     */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/run/qubicle/bin";

    /**
     * The qube's init: the root's sh. It first closes fd 6 (bwrap's spent
     * {@code --userns-block-fd}, which bwrap leaves open; bwrap closes its {@code --args} fd 8)
     * and starts the resident forker ({@link ForkerScripts#FROM_INIT}). On SIGTERM it signals
     * every process in the qube and exits once only bwrap's pid 1 and itself remain (zombies
     * reaped by bwrap's pid 1).
     */
    static String initScript(boolean forker) {
        return "exec 6<&-\n" + (forker ? ForkerScripts.FROM_INIT + "\n" : "") + """
                trap 'kill -TERM -1 2>/dev/null; wait; while :; do n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; \
                [ $n -le 2 ] && exit 0; sleep 0.05 & wait $!; done' TERM
                while :; do sleep 2147483647 & wait $!; done
                """;
    }

    private BwrapArgs() {
    }

    /**
     * Host static busybox, bound into an exec's private /dev to switch to the qube's user.
     * bwrap (0.8 up to at least 0.11) cannot run a non-root uid in a user namespace it
     * joins with --userns: it calls setuid before its mount setup and setgid after setuid,
     * so both fail for lack of capabilities. So user processes start as root with only
     * CAP_SETUID and CAP_SETGID, and {@code su} drops to the user (all capabilities go
     * with the uid change; no_new_privs and seccomp stay).
     */
    static final String SU = "/dev/.qubicle/busybox";

    /** Filesystem, environment and confinement shared by init and exec. */
    static List<String> common(QubeFiles f, QubeSpec spec, int uid) {
        List<String> a = new ArrayList<>();
        a.add(spec.root().writable() ? "--bind" : "--ro-bind");
        a.add(f.root(spec).toString());
        a.add("/");
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        bind(a, f.shared().resolve("shm").toString(), "/dev/shm");
        bind(a, f.shared().resolve("tmp").toString(), "/tmp");
        bind(a, f.shared().resolve("run").toString(), "/run");
        bind(a, spec.privateDir().toString(), "/rw");
        bind(a, f.home().toString(), "/home");
        for (var b : spec.binds()) {
            a.add(b.readOnly() ? "--ro-bind" : "--bind");
            a.add(b.source().toString());
            a.add(b.target());
        }
        a.addAll(List.of("--uid", "0", "--gid", "0"));
        a.addAll(List.of("--new-session", "--clearenv", "--setenv", "PATH", PATH));
        if (uid == 0) {
            for (String c : ROOT_CAPS) {
                a.addAll(List.of("--cap-add", c));
            }
        } else {
            a.addAll(List.of("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"));
            a.addAll(List.of("--ro-bind", org.qubicle.driver.rootfs.BusyboxRootfs.BUSYBOX.toString(), SU));
        }
        return a;
    }

    /**
     * The init's command line: bwrap takes it from its own argv, after {@code --args}.
     *
     * @param forker whether the init starts the forker ({@link Forker#fromInit()}, decided once per start)
     */
    static List<String> initCommand(boolean forker) {
        return List.of("/bin/sh", "-c", initScript(forker));
    }

    /**
     * The init's options, which bwrap reads from fd 8 ({@code --args}, Launcher.START_WRAP)
     * once the daemon has the whole spec: the sandbox starts before its storage is ready.
     * With {@code forker}, the view has the forker's binds ({@link #initCommand}).
     */
    static List<String> init(QubeFiles f, QubeSpec spec, boolean forker) {
        List<String> a = new ArrayList<>();
        // bwrap makes the user namespace and waits on fd 6 until the daemon has mapped it
        // (Launcher.START_WRAP); fd 7 tells the daemon the pid to map.
        a.addAll(List.of("--unshare-user", "--userns-block-fd", "6", "--info-fd", "7", "--seccomp", "5"));
        a.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"));
        if (spec.netns().isEmpty()) {
            a.add("--unshare-net");
        }
        a.addAll(List.of("--hostname", spec.hostname()));
        a.addAll(common(f, spec, 0));
        if (forker) {
            forkerBinds(a, f);
        }
        a.addAll(List.of("--setenv", "HOME", "/root", "--chdir", "/"));
        return a;
    }

    static List<String> exec(QubeFiles f, QubeSpec spec, ExecSpec e) {
        List<String> a = new ArrayList<>();
        // No --die-with-parent: with --pidns, bwrap sets PDEATHSIG in the final child while
        // its parent is an intermediate process that exits, which under load SIGKILLs the
        // process at random (seen here as exit 137). BwrapProcess.kill kills the tree instead.
        a.addAll(List.of("--userns", "3", "--pidns", "4", "--seccomp", "5"));
        a.addAll(common(f, spec, e.uid()));
        a.addAll(List.of("--setenv", "HOME", e.home(), "--setenv", "USER", e.user(), "--setenv", "LOGNAME",
                e.user(), "--chdir", e.home()));
        for (var v : e.env().entrySet()) {
            a.addAll(List.of("--setenv", v.getKey(), v.getValue()));
        }
        if (e.uid() != 0) {
            // su's getopt would otherwise permute the command's own options ("id -u") into
            // its own; POSIXLY_CORRECT stops it at the user name, and the script drops it.
            a.addAll(List.of("--setenv", "POSIXLY_CORRECT", "1"));
        }
        a.add("--");
        if (e.uid() != 0) {
            a.addAll(List.of(SU, "su", "-p", "-s", "/bin/sh", e.user(), "-c",
                    "unset POSIXLY_CORRECT; exec \"$0\" \"$@\""));
        }
        a.addAll(e.command());
        return a;
    }

    /**
     * The resident forker when the host chain starts it ({@link Forker}): a root exec like
     * any other, plus the host busybox and the forker's host directory, as the init has
     * them. Every call it forks shares this view, which equals a fresh exec's.
     */
    static List<String> forker(QubeFiles f, QubeSpec spec) {
        List<String> a = new ArrayList<>();
        a.addAll(List.of("--userns", "3", "--pidns", "4", "--seccomp", "5"));
        a.addAll(common(f, spec, 0));
        forkerBinds(a, f);
        a.addAll(List.of("--setenv", "HOME", "/root", "--chdir", "/"));
        a.addAll(List.of("--", SU, "sh", ForkerScripts.DIR + "/forker.sh"));
        return a;
    }

    /** The host busybox and the forker's host directory (read-only: the qube cannot change it). */
    private static void forkerBinds(List<String> a, QubeFiles f) {
        a.addAll(List.of("--ro-bind", org.qubicle.driver.rootfs.BusyboxRootfs.BUSYBOX.toString(), SU));
        a.addAll(List.of("--ro-bind", f.forkerDir().toString(), ForkerScripts.DIR));
    }

    private static void bind(List<String> a, String src, String dst) {
        a.add("--bind");
        a.add(src);
        a.add(dst);
    }
}
