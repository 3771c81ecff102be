package org.qubicle.storage.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices through {@code /dev/loop-control} and the loop ioctls, as losetup(8) and
 * {@code mount -o loop} use them, without their fork and exec.
 *
 * <p>A device is attached with autoclear: it detaches itself when its last user (the
 * mount made on it, and the {@link Device} handle until closed) lets go, so unmounting
 * is enough and a failed mount leaves nothing behind.
 */
public final class Loop {
    private static final long LOOP_SET_FD = 0x4C00;
    private static final long LOOP_CLR_FD = 0x4C01;
    private static final long LOOP_SET_STATUS64 = 0x4C04;
    private static final long LOOP_GET_STATUS64 = 0x4C05;
    private static final long LOOP_SET_CAPACITY = 0x4C07;
    private static final long LOOP_CONFIGURE = 0x4C0A;
    private static final long LOOP_CTL_GET_FREE = 0x4C82;
    private static final int LO_FLAGS_READ_ONLY = 1;
    private static final int LO_FLAGS_AUTOCLEAR = 4;
    private static final int LO_FLAGS_DIRECT_IO = 16;
    /** struct loop_info64 and, around it, struct loop_config (fd, block_size, info, reserved[8]). */
    private static final int INFO_SIZE = 232;
    private static final int CONFIG_SIZE = 8 + INFO_SIZE + 64;
    private static final int LO_NAME_SIZE = 64;
    /** GET_FREE may hand two callers the same device; the loser retries with the next free one. */
    private static final int ATTEMPTS = 32;

    private Loop() {}

    /**
     * An attached loop device, held open. Close it once the device is mounted (or the mount
     * failed): with autoclear, the device then lives exactly as long as its mount.
     */
    public record Device(String path, int fd) implements AutoCloseable {
        @Override
        public void close() {
            Sys.close(fd);
        }
    }

    /**
     * Attaches {@code image} (from {@code offset}, {@code length} bytes, or to its end when
     * {@code length} is 0) to a free loop device, with autoclear, read-only if asked.
     */
    public static Device attach(Path image, long offset, long length, boolean readOnly) {
        int mode = readOnly ? Sys.O_RDONLY : Sys.O_RDWR;
        int file = Sys.openOrFail(image.toString(), mode, 0);
        try {
            int ctl = Sys.openOrFail("/dev/loop-control", Sys.O_RDWR, 0);
            try {
                SyscallException last = null;
                for (int i = 0; i < ATTEMPTS; i++) {
                    int n;
                    try (Sys.Call c = new Sys.Call()) {
                        n = Sys.ioctl(c, ctl, LOOP_CTL_GET_FREE, 0L);
                        if (n < 0) {
                            throw c.fail("find a free loop device for " + image);
                        }
                    }
                    String dev = "/dev/loop" + n;
                    int fd;
                    try (Sys.Call c = new Sys.Call()) {
                        fd = Sys.open(c, dev, mode | Sys.O_CLOEXEC, 0);
                        if (fd < 0) {
                            // The node may appear a moment after GET_FREE created the device.
                            last = c.fail("open " + dev);
                            Thread.onSpinWait();
                            continue;
                        }
                    }
                    try {
                        if (configure(fd, file, image, offset, length, readOnly)) {
                            return new Device(dev, fd);
                        }
                    } catch (RuntimeException e) {
                        Sys.close(fd);
                        throw e;
                    }
                    Sys.close(fd);
                    last = new SyscallException("attach " + image + " to " + dev, Sys.EBUSY);
                }
                throw last;
            } finally {
                Sys.close(ctl);
            }
        } finally {
            Sys.close(file);
        }
    }

    /** Configures one device; false if another attach took it first (EBUSY). */
    private static boolean configure(int fd, int file, Path image, long offset, long length, boolean readOnly) {
        // Direct I/O for what a qube writes: its file system's page cache is the only cache, not
        // one more of the image in the host's, and writeback reaches the image without a second
        // flush (a 1 GiB write and sync in a qube: 9.4 s before, 1.1-1.3 s after). A kernel that
        // cannot do direct I/O on the image either keeps buffered I/O or refuses with EINVAL,
        // and then the two-step attach below attaches it buffered.
        int flags = LO_FLAGS_AUTOCLEAR | (readOnly ? LO_FLAGS_READ_ONLY : LO_FLAGS_DIRECT_IO);
        try (Sys.Call c = new Sys.Call()) {
            MemorySegment cfg = c.arena.allocate(CONFIG_SIZE, 8);
            cfg.set(ValueLayout.JAVA_INT, 0, file);
            MemorySegment info = cfg.asSlice(8, INFO_SIZE);
            fillInfo(info, image, offset, length, flags);
            if (Sys.ioctl(c, fd, LOOP_CONFIGURE, cfg) == 0) {
                return true;
            }
            int e = c.errno();
            if (e == Sys.EBUSY) {
                return false;
            }
            if (e != Sys.EINVAL && e != Sys.ENOTTY) {
                throw c.fail("attach " + image + " to a loop device");
            }
            // A kernel before 5.8 lacks LOOP_CONFIGURE: the two-step way.
            if (Sys.ioctl(c, fd, LOOP_SET_FD, file) != 0) {
                if (c.errno() == Sys.EBUSY) {
                    return false;
                }
                throw c.fail("attach " + image + " to a loop device (LOOP_SET_FD)");
            }
            if (Sys.ioctl(c, fd, LOOP_SET_STATUS64, info) != 0) {
                SyscallException failed = c.fail("set the loop device status of " + image);
                Sys.ioctl(c, fd, LOOP_CLR_FD, 0L);
                throw failed;
            }
            return true;
        }
    }

    private static void fillInfo(MemorySegment info, Path image, long offset, long length, int flags) {
        info.set(ValueLayout.JAVA_LONG, 24, offset);
        info.set(ValueLayout.JAVA_LONG, 32, length);
        info.set(ValueLayout.JAVA_INT, 52, flags);
        // lo_file_name, for losetup -a; the kernel keeps the name only for display.
        byte[] name = image.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(name, 0, info, ValueLayout.JAVA_BYTE, 56, Math.min(name.length, LO_NAME_SIZE - 1));
    }

    /** What LOOP_GET_STATUS64 tells about a bound device. */
    public record Status(long backingDev, long backingInode, long offset, long sizeLimit, int flags) {
        public boolean autoclear() {
            return (flags & LO_FLAGS_AUTOCLEAR) != 0;
        }

        /** The device reads and writes its image with direct I/O, past the host's page cache. */
        public boolean directIo() {
            return (flags & LO_FLAGS_DIRECT_IO) != 0;
        }
    }

    /** The status of a device, or null if it is not bound (ENXIO) or gone. */
    public static Status status(String device) {
        int fd;
        try (Sys.Call c = new Sys.Call()) {
            fd = Sys.open(c, device, Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
            if (fd < 0) {
                if (c.errno() == Sys.ENOENT || c.errno() == Sys.ENXIO) {
                    return null;
                }
                throw c.fail("open " + device);
            }
        }
        try (Sys.Call c = new Sys.Call()) {
            MemorySegment info = c.arena.allocate(INFO_SIZE, 8);
            if (Sys.ioctl(c, fd, LOOP_GET_STATUS64, info) != 0) {
                if (c.errno() == Sys.ENXIO) {
                    return null;
                }
                throw c.fail("read the status of " + device);
            }
            return new Status(info.get(ValueLayout.JAVA_LONG, 0), info.get(ValueLayout.JAVA_LONG, 8),
                    info.get(ValueLayout.JAVA_LONG, 24), info.get(ValueLayout.JAVA_LONG, 32),
                    info.get(ValueLayout.JAVA_INT, 52));
        } finally {
            Sys.close(fd);
        }
    }

    /** True while a file is bound to the device (its sysfs {@code loop/backing_file} exists). */
    public static boolean isBound(String device) {
        return Files.exists(backingFilePath(device));
    }

    private static Path backingFilePath(String device) {
        return Path.of("/sys/block", Path.of(device).getFileName().toString(), "loop", "backing_file");
    }

    /** Every bound loop device, as {@code /dev/loopN}. */
    public static List<String> bound() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/sys/block"), "loop*")) {
            for (Path p : s) {
                if (Files.exists(p.resolve("loop/backing_file"))) {
                    out.add("/dev/" + p.getFileName());
                }
            }
        } catch (IOException e) {
            throw new org.qubicle.model.exc.StoragePoolException("Cannot list /sys/block: " + e.getMessage());
        }
        return out;
    }

    /**
     * Devices bound to this file, compared by device and inode as {@code losetup -j} does,
     * so a rename does not hide them.
     */
    public static List<String> devicesFor(Path image) {
        long dev;
        long ino;
        try {
            dev = ((Number) Files.getAttribute(image, "unix:dev")).longValue();
            ino = ((Number) Files.getAttribute(image, "unix:ino")).longValue();
        } catch (IOException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String d : bound()) {
            Status s = status(d);
            if (s != null && s.backingDev() == dev && s.backingInode() == ino) {
                out.add(d);
            }
        }
        return out;
    }

    /** {@code losetup -c}: the device takes its backing file's new size. */
    public static void refreshCapacity(String device) {
        ioctlOn(device, LOOP_SET_CAPACITY, "update the size of");
    }

    /**
     * {@code losetup -d}: detaches an idle device now; on a busy one the kernel sets
     * autoclear instead, so it goes with its last user. An unbound device is left alone.
     */
    public static void detach(String device) {
        try {
            ioctlOn(device, LOOP_CLR_FD, "detach");
        } catch (SyscallException e) {
            if (e.errno() != Sys.ENXIO && e.errno() != Sys.ENOENT) {
                throw e;
            }
        }
    }

    private static void ioctlOn(String device, long request, String what) {
        int fd = Sys.openOrFail(device, Sys.O_RDONLY, 0);
        try (Sys.Call c = new Sys.Call()) {
            if (Sys.ioctl(c, fd, request, 0L) != 0) {
                throw c.fail(what + " " + device);
            }
        } finally {
            Sys.close(fd);
        }
    }
}
