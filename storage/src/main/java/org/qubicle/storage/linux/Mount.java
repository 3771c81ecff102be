package org.qubicle.storage.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * mount(2), umount2(2), syncfs(2) and the new mount API (idmapped binds), called directly:
 * the daemon runs as root, and a fork and exec of mount(8) costs more than the mount.
 * Every failure is a {@link SyscallException} naming the operation and strerror.
 */
public final class Mount {
    public static final long MS_RDONLY = 0x1;
    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    public static final long MS_BIND = 0x1000;
    public static final long MS_SHARED = 1 << 20;

    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;

    // The new mount API has these numbers on x86_64 and on every architecture of the unified table.
    private static final long SYS_OPEN_TREE = 428;
    private static final long SYS_MOVE_MOUNT = 429;
    private static final long SYS_MOUNT_SETATTR = 442;
    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    private static final long MOUNT_ATTR_RDONLY = 0x1;
    private static final long MOUNT_ATTR_NOSUID = 0x2;
    private static final long MOUNT_ATTR_NODEV = 0x4;
    private static final long MOUNT_ATTR_IDMAP = 0x100000;

    private Mount() {}

    /** {@code mount -t TYPE -o DATA SOURCE TARGET} with mount flags {@code flags} (MS_*). */
    public static void mount(String source, Path target, String type, long flags, String data) {
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.mount(c, source, target.toString(), type, flags, data) != 0) {
                throw c.fail("mount -t " + type + " " + source + " on " + target
                        + (data == null || data.isEmpty() ? "" : " (" + data + ")"));
            }
        }
    }

    /** {@code mount --bind SOURCE TARGET} (not recursive). */
    public static void bind(Path source, Path target) {
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.mount(c, source.toString(), target.toString(), null, MS_BIND, null) != 0) {
                throw c.fail("bind mount " + source + " on " + target);
            }
        }
    }

    /** {@code mount --make-shared TARGET}. */
    public static void makeShared(Path target) {
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.mount(c, null, target.toString(), null, MS_SHARED, null) != 0) {
                throw c.fail("make " + target + " a shared mount");
            }
        }
    }

    /** An overlay at {@code target}: {@code lower} read-only under {@code upper}, with {@code work} beside it. */
    public static void overlay(Path lower, Path upper, Path work, Path target, long flags) {
        mount("overlay", target, "overlay", flags,
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
    }

    /**
     * {@code umount TARGET}; false if nothing was mounted there (EINVAL, ENOENT). Busy for
     * longer than {@link #BUSY_WAIT_MS} and other failures throw: a qube that just died may
     * still pin the file system for a moment, as the kernel lets go of a dead mount
     * namespace's mounts after its last process is gone, not with it.
     */
    public static boolean unmount(Path target) {
        long deadline = System.nanoTime() + BUSY_WAIT_MS * 1_000_000L;
        while (true) {
            try (Sys.Call c = new Sys.Call()) {
                if (Sys.umount2(c, target.toString(), 0) == 0) {
                    return true;
                }
                int e = c.errno();
                if (e == EINVAL || e == Sys.ENOENT) {
                    return false;
                }
                if (e != Sys.EBUSY || System.nanoTime() > deadline) {
                    throw c.fail("unmount " + target);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new SyscallException("unmount " + target + " (interrupted while busy)", Sys.EBUSY);
            }
        }
    }

    /** How long {@link #unmount} waits for a busy file system to be let go. */
    static final long BUSY_WAIT_MS = 2000;

    /** {@code umount -l TARGET}: detaches now, the file system goes when its last user lets go. */
    public static void unmountLazily(Path target) {
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.umount2(c, target.toString(), MNT_DETACH) != 0 && c.errno() != EINVAL) {
                throw c.fail("unmount (lazily) " + target);
            }
        }
    }

    /** {@code sync -f PATH}: writes back the file system that holds {@code path}. */
    public static void syncfs(Path path) {
        int fd = Sys.openOrFail(path.toString(), Sys.O_RDONLY, 0);
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.syncfs(c, fd) != 0) {
                throw c.fail("sync the file system of " + path);
            }
        } finally {
            Sys.close(fd);
        }
    }

    /** {@code open(path, O_RDONLY|O_CLOEXEC)}, e.g. a namespace file; close with {@link #close}. */
    public static int openReadOnly(Path path) {
        return Sys.openOrFail(path.toString(), Sys.O_RDONLY, 0);
    }

    /** Closes a descriptor from {@link #openReadOnly}. */
    public static void close(int fd) {
        Sys.close(fd);
    }

    /**
     * Binds {@code source} (a mount's root) at {@code target} as a new mount whose file
     * owners are shifted through the user namespace {@code usernsFd}: on-disk uid 0 shows as
     * that namespace's root on the host. Always nodev and nosuid.
     */
    public static void bindIdmapped(Path source, Path target, int usernsFd, boolean readOnly) {
        try (Sys.Call c = new Sys.Call()) {
            long fd = Sys.syscall4(c, SYS_OPEN_TREE, AT_FDCWD, c.str(source.toString()),
                    OPEN_TREE_CLONE | Sys.O_CLOEXEC, 0L);
            if (fd < 0) {
                throw c.fail("open_tree " + source);
            }
            try {
                // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
                MemorySegment attr = c.arena.allocate(32, 8);
                attr.set(ValueLayout.JAVA_LONG, 0, MOUNT_ATTR_IDMAP | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID
                        | (readOnly ? MOUNT_ATTR_RDONLY : 0));
                attr.set(ValueLayout.JAVA_LONG, 24, usernsFd);
                if (Sys.syscall5(c, SYS_MOUNT_SETATTR, fd, c.str(""), AT_EMPTY_PATH, attr, 32L) < 0) {
                    throw c.fail("mount_setattr (idmap) " + source);
                }
                if (Sys.syscall5(c, SYS_MOVE_MOUNT, fd, c.str(""), AT_FDCWD, c.str(target.toString()),
                        MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                    throw c.fail("move_mount to " + target);
                }
            } finally {
                Sys.close((int) fd);
            }
        }
    }
}
