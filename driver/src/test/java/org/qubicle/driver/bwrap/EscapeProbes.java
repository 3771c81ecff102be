package org.qubicle.driver.bwrap;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.driver.seccomp.SeccompFilter;

/**
 * The escape probes. Each is a busybox sh script that exits 0 when the isolation held
 * and non-zero on a breach. Its control proves it can see a breach: it runs the same
 * script where the thing is reachable (on the host, or in the victim qube itself) and
 * must fail there.
 *
 * <p>Variables: {@code TOKEN} (unique per run), {@code BPID} (host pid of a victim
 * process), {@code BNAME} (victim qube name), {@code SEARCH} (where to look for marker
 * files: {@code /} in a qube, the test directory on the host), {@code ROOTFS} (the root
 * filesystem: {@code /} in a qube, its host path on the host).
 */
final class EscapeProbes {
    enum Control {
        /** Run on the host as root: must report a breach. */
        HOST,
        /** Run inside the victim qube as root: must report a breach. */
        PEER
    }

    /**
     * @param name     probe name
     * @param script   busybox sh; exit 0 = isolation held
     * @param control  where the control runs
     * @param userOnly true when only meaningful for the unprivileged user
     * @param eperm    the qube must get exactly EPERM (our seccomp or capabilities), not ENOSYS
     */
    record Probe(String name, String script, Control control, boolean userOnly, boolean eperm) {
    }

    static final List<String> SYSCALLS = List.of("keyctl", "add_key", "request_key", "bpf", "perf_event_open",
            "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "mount",
            "umount", "pivot_root", "open_tree", "fsopen", "unshare_user", "clone_newuser", "clone3", "settimeofday",
            "clock_settime", "adjtimex", "sethostname", "mknod_chr", "mknod_blk", "swapon", "reboot", "iopl", "ioperm",
            "personality", "open_by_handle_at", "io_uring_setup", "setns", "syslog", "chroot", "tiocsti", "rlimit");

    private EscapeProbes() {
    }

    static List<Probe> all() {
        List<Probe> out = new ArrayList<>();
        for (String s : SYSCALLS) {
            // clone3 is refused with ENOSYS on purpose; everything else must be EPERM,
            // which also shows that our filter, not a missing kernel feature, refused it.
            out.add(new Probe("syscall " + s, "qprobe " + s, Control.HOST, false, !s.equals("clone3")));
        }
        out.add(probe("sees other qube's processes",
                "! ps -o pid,args | grep -v grep | grep -q \"bsock-$TOKEN\"", Control.HOST));
        out.add(probe("ptrace other qube's process", "qprobe ptrace $BPID", Control.HOST));
        out.add(probe("signal other qube's process", "qprobe kill $BPID", Control.HOST));
        out.add(probe("other qube's /tmp", find("btmp"), Control.HOST));
        out.add(probe("other qube's private volume", find("bpriv"), Control.HOST));
        out.add(probe("host file outside the root", find("hostfile"), Control.HOST));
        out.add(probe("other qube's unix socket", "! grep -q \"bsock-$TOKEN\" /proc/net/unix", Control.PEER));
        out.add(probe("other qube's mounts", "! grep -q \"$BNAME\" /proc/self/mountinfo", Control.PEER));
        out.add(probe("escape through /proc/*/root",
                "! ls /proc/[0-9]*/root/tmp/ 2>/dev/null | grep -q \"btmp-$TOKEN\"", Control.HOST));
        out.add(probe("escape through /proc/*/fd",
                "! ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -q \"bpriv-$TOKEN\"", Control.HOST));
        out.add(probe("host admin socket",
                "[ ! -e /var/run/qubesd.sock ] && [ ! -e /run/qubesd.sock ]", Control.HOST));
        out.add(new Probe("setuid binary gives root", "\"$SUID\" euid", Control.HOST, true, false));
        out.add(probe("host network interfaces", "[ \"$(ip -o link | wc -l)\" -eq 1 ]", Control.HOST));
        out.add(probe("host devices",
                "! ls /dev | grep -qE '^(sd|vd|nvme|loop|mem|kmem|port|kmsg|tty[0-9]|fuse|autofs)'", Control.HOST));
        out.add(probe("write /proc/sysrq-trigger", "! echo h 2>/dev/null > /proc/sysrq-trigger", Control.HOST));
        out.add(probe("write /proc/sys",
                "v=$(cat /proc/sys/kernel/domainname); ! echo \"$v\" 2>/dev/null > /proc/sys/kernel/domainname",
                Control.HOST));
        out.add(probe("cgroup files writable",
                "! echo max 2>/dev/null > /sys/fs/cgroup/pids.max && ! echo max 2>/dev/null > /sys/fs/cgroup/pids/pids.max"
                        + " && [ ! -w /sys/fs/cgroup ]", Control.HOST));
        out.add(probe("write the read-only root",
                "f=\"$ROOTFS/bin/probe-write-$TOKEN\"; if touch \"$f\" 2>/dev/null; then rm -f \"$f\"; exit 1; fi",
                Control.HOST));
        return out;
    }

    private static Probe probe(String name, String script, Control c) {
        return new Probe(name, script, c, false, false);
    }

    private static String find(String marker) {
        return "! find \"$SEARCH\" -path /proc -prune -o -name \"" + marker + "-$TOKEN\" -print 2>/dev/null | grep -q .";
    }

    /** Syscalls the filter denies by name; the tests check each SYSCALLS entry maps to one. */
    static boolean deniedByFilter(String probe) {
        return SeccompFilter.DENIED.containsKey(probe);
    }
}
