/*
 * Escape-test probe: tries one privileged operation with arguments that do no harm
 * when it is allowed (bad flags, missing paths, same values) and reports whether it was
 * refused. Exit 0: refused (EPERM/EACCES/ENOSYS or as listed); 1: the kernel got to act
 * on it (success or an argument error); 2: usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int refused(long rc, int also) {
    int e = errno;
    if (rc >= 0) {
        printf("allowed (rc=%ld)\n", rc);
        return 1;
    }
    printf("errno %d (%s)\n", e, strerror(e));
    return (e == EPERM || e == EACCES || e == ENOSYS || (also && e == also)) ? 0 : 1;
}

static int child_fn(void *arg) { (void) arg; return 0; }

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *p = argv[1];
    errno = 0;
    if (!strcmp(p, "keyctl")) return refused(syscall(SYS_keyctl, 0 /*GET_KEYRING_ID*/, -3, 0), 0);
    if (!strcmp(p, "add_key")) return refused(syscall(SYS_add_key, "user", "qprobe", "x", 1, -2), 0);
    if (!strcmp(p, "request_key")) return refused(syscall(SYS_request_key, "user", "qprobe-none", NULL, 0), 0);
    if (!strcmp(p, "bpf")) { char attr[128] = {0}; return refused(syscall(SYS_bpf, 0, attr, sizeof attr), 0); }
    if (!strcmp(p, "perf_event_open")) { char attr[128] = {0}; return refused(syscall(SYS_perf_event_open, attr, 0, -1, -1, ~0UL), 0); }
    if (!strcmp(p, "userfaultfd")) return refused(syscall(SYS_userfaultfd, 0x7fffffff), 0);
    if (!strcmp(p, "kexec_load")) return refused(syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL), 0);
    if (!strcmp(p, "kexec_file_load")) return refused(syscall(SYS_kexec_file_load, -1, -1, 0, "", 0xdead0000UL), 0);
    if (!strcmp(p, "init_module")) return refused(syscall(SYS_init_module, "garbage", 7, ""), 0);
    if (!strcmp(p, "finit_module")) return refused(syscall(SYS_finit_module, -1, "", 0), 0);
    if (!strcmp(p, "delete_module")) return refused(syscall(SYS_delete_module, "qubicle_no_such_mod", O_NONBLOCK), 0);
    if (!strcmp(p, "mount")) return refused(mount("none", "/qprobe-no-such-dir", "tmpfs", 0, NULL), 0);
    if (!strcmp(p, "umount")) return refused(umount2("/qprobe-no-such-dir", 0), 0);
    if (!strcmp(p, "pivot_root")) return refused(syscall(SYS_pivot_root, "/qprobe-none", "/qprobe-none"), 0);
    if (!strcmp(p, "open_tree")) return refused(syscall(428, AT_FDCWD, "/qprobe-no-such-dir", 0), 0);
    if (!strcmp(p, "fsopen")) return refused(syscall(430, "qprobe-nofs", 0), 0);
    if (!strcmp(p, "unshare_user")) return refused(unshare(CLONE_NEWUSER), 0);
    if (!strcmp(p, "clone_newuser")) {
        static char stack[65536];
        long pid = clone(child_fn, stack + sizeof stack, CLONE_NEWUSER | SIGCHLD, NULL);
        if (pid > 0) waitpid(pid, NULL, 0);
        return refused(pid, 0);
    }
    if (!strcmp(p, "clone3")) { char args[88] = {0}; return refused(syscall(435, args, 1), 0); }
    if (!strcmp(p, "settimeofday")) return refused(syscall(SYS_settimeofday, NULL, NULL), 0);
    if (!strcmp(p, "clock_settime")) { struct timespec t = {0, 2000000000L}; return refused(syscall(SYS_clock_settime, CLOCK_REALTIME, &t), 0); }
    if (!strcmp(p, "adjtimex")) { struct timex t = {0}; t.modes = ADJ_TICK; t.tick = 1; return refused(adjtimex(&t), 0); }
    if (!strcmp(p, "sethostname")) { char h[256] = {0}; gethostname(h, sizeof h - 1); return refused(sethostname(h, strlen(h)), 0); }
    if (!strcmp(p, "mknod_chr") || !strcmp(p, "mknod_blk")) {
        char path[64]; snprintf(path, sizeof path, "/tmp/qprobe-node-%d", getpid());
        int blk = !strcmp(p, "mknod_blk");
        long rc = mknod(path, (blk ? S_IFBLK : S_IFCHR) | 0600, blk ? makedev(7, 0) : makedev(1, 3));
        int r = refused(rc, 0);
        unlink(path);
        return r;
    }
    if (!strcmp(p, "swapon")) return refused(syscall(SYS_swapon, "/qprobe-no-such-file", 0), 0);
    if (!strcmp(p, "reboot")) return refused(syscall(SYS_reboot, 0, 0, 0, NULL), 0);
    if (!strcmp(p, "iopl")) return refused(syscall(SYS_iopl, 0), 0);
    if (!strcmp(p, "ioperm")) return refused(syscall(SYS_ioperm, 0x80, 1, 0), 0);
    if (!strcmp(p, "personality")) { long rc = personality(READ_IMPLIES_EXEC); return refused(rc == -1 ? -1 : 0, 0); }
    if (!strcmp(p, "open_by_handle_at")) { char h[64] = {0}; return refused(syscall(SYS_open_by_handle_at, AT_FDCWD, h, 0), 0); }
    if (!strcmp(p, "io_uring_setup")) return refused(syscall(425, 0, NULL), 0);
    if (!strcmp(p, "setns")) return refused(syscall(SYS_setns, 0, 0), 0);
    if (!strcmp(p, "syslog")) return refused(syscall(SYS_syslog, 10, NULL, 0), 0);
    if (!strcmp(p, "chroot")) return refused(chroot("/qprobe-no-such-dir"), 0);
    if (!strcmp(p, "tiocsti")) { char c = ' '; int fd = open("/dev/tty", O_RDWR); if (fd < 0) fd = 0; return refused(ioctl(fd, TIOCSTI, &c), ENXIO); }
    if (!strcmp(p, "rlimit")) {
        struct rlimit r; getrlimit(RLIMIT_NOFILE, &r);
        if (r.rlim_max == RLIM_INFINITY) { printf("unlimited\n"); return 1; }
        r.rlim_max += 1;
        return refused(setrlimit(RLIMIT_NOFILE, &r), 0);
    }
    if (!strcmp(p, "ptrace") && argc > 2) {
        long pid = atol(argv[2]);
        long rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
        if (rc == 0) { waitpid(pid, NULL, __WALL); ptrace(PTRACE_DETACH, pid, 0, 0); }
        return refused(rc, ESRCH);
    }
    if (!strcmp(p, "kill") && argc > 2) return refused(kill(atol(argv[2]), 0), ESRCH);
    if (!strcmp(p, "euid")) { printf("%d\n", geteuid()); return geteuid() == 0 ? 1 : 0; }
    if (!strcmp(p, "listen") && argc > 2) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {0}; a.sun_family = AF_UNIX;
        strncpy(a.sun_path + 1, argv[2], sizeof a.sun_path - 2);
        if (bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 1) < 0) { perror("listen"); return 1; }
        printf("listening\n"); fflush(stdout);
        for (;;) pause();
    }
    fprintf(stderr, "unknown probe %s\n", p);
    return 2;
}
