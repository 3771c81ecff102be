package org.qubicle.storage.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Real loop devices and mounts through the direct calls, as root: nothing may be left. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class LoopMountTest {
    @TempDir
    Path tmp;

    @AfterEach
    void nothingLeft() throws Exception {
        for (Path p : MountTable.under(tmp).reversed()) {
            Mount.unmountLazily(p);
        }
        assertEquals(List.of(), MountTable.under(tmp), "mounts left behind");
        // Autoclear detaches when the last user goes; the kernel may finish a moment later.
        for (int i = 0; i < 200 && !loopsUnder(tmp).isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), loopsUnder(tmp), "loop devices left behind (losetup -a)");
    }

    /** losetup's own view, as an oracle independent of the code under test. */
    private static List<String> loopsUnder(Path dir) throws Exception {
        Process p = new ProcessBuilder("losetup", "-a").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.contains("(" + dir)).toList();
    }

    private Path image(String name, long size) throws Exception {
        Path img = tmp.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
        }
        Process p = new ProcessBuilder("mkfs.ext4", "-F", "-q", img.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfs.ext4");
        return img;
    }

    /** Whether the image's own file system takes O_DIRECT (the JDK's open, not ours). */
    private static boolean directIoWorksOn(Path img) {
        try (var ch = Files.newByteChannel(img, java.nio.file.StandardOpenOption.READ,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void awaitDetached(String dev) throws InterruptedException {
        for (int i = 0; i < 200 && Loop.isBound(dev); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void mountWriteUnmountAndTheLoopDeviceGoes() throws Exception {
        Path img = image("rw.img", 32L << 20);
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        String dev;
        try (Loop.Device d = Loop.attach(img, 0, 0, false)) {
            dev = d.path();
            assertEquals(List.of(dev), Loop.devicesFor(img));
            Mount.mount(dev, mnt, "ext4", Mount.MS_NODEV, "noinit_itable");
        }
        Loop.Status st = Loop.status(dev);
        assertTrue(st != null && st.autoclear(), "attached with autoclear");
        assertEquals(directIoWorksOn(img), st.directIo(), "a writable device uses direct I/O where it can");
        assertEquals("ext4", MountTable.at(mnt).orElseThrow().fsType());
        Files.writeString(mnt.resolve("hello"), "world");
        Mount.syncfs(mnt);
        assertTrue(Mount.unmount(mnt));
        assertFalse(Mount.unmount(mnt), "nothing is mounted there any more");
        awaitDetached(dev);
        assertFalse(Loop.isBound(dev), dev + " detached by autoclear");
        assertEquals(List.of(), Loop.devicesFor(img));

        // The write reached the image: mount it again, read-only this time.
        try (Loop.Device d = Loop.attach(img, 0, 0, true)) {
            dev = d.path();
            Mount.mount(dev, mnt, "ext4", Mount.MS_NODEV | Mount.MS_RDONLY, "noload");
        }
        assertEquals("world", Files.readString(mnt.resolve("hello")));
        assertFalse(Loop.status(dev).directIo(), "a read-only device shares the host's page cache");
        assertThrows(IOException.class, () -> Files.writeString(mnt.resolve("other"), "x"));
        assertTrue(Mount.unmount(mnt));
        awaitDetached(dev);
        assertFalse(Loop.isBound(dev));
    }

    @Test
    void aFailedMountLeavesNoLoopDevice() throws Exception {
        Path img = tmp.resolve("blank.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        String dev;
        SyscallException e;
        try (Loop.Device d = Loop.attach(img, 0, 0, false)) {
            dev = d.path();
            e = assertThrows(SyscallException.class, () -> Mount.mount(d.path(), mnt, "ext4", Mount.MS_NODEV, ""));
        }
        assertTrue(e.getMessage().contains("mount -t ext4 " + dev), e.getMessage());
        awaitDetached(dev);
        assertFalse(Loop.isBound(dev));
    }

    @Test
    void bindSharedAndOverlay() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Mount.bind(dir, dir);
        Mount.makeShared(dir);
        assertTrue(MountTable.at(dir).orElseThrow().shared());
        Path lower = Files.createDirectories(dir.resolve("lower"));
        Files.writeString(lower.resolve("f"), "lower");
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Mount.overlay(lower, upper, work, merged, Mount.MS_NODEV);
        Files.writeString(merged.resolve("f"), "changed");
        assertEquals("lower", Files.readString(lower.resolve("f")), "the lower layer is untouched");
        assertEquals("changed", Files.readString(upper.resolve("f")));
        assertTrue(Mount.unmount(merged));
        assertTrue(Mount.unmount(dir));
        assertFalse(MountTable.isMounted(dir));
    }

    @Test
    void errorsNameTheCallAndStrerror() {
        var e = assertThrows(SyscallException.class,
                () -> Mount.bind(tmp.resolve("missing"), tmp.resolve("missing2")));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        var l = assertThrows(SyscallException.class, () -> Loop.attach(tmp.resolve("none.img"), 0, 0, true));
        assertTrue(l.getMessage().startsWith("open " + tmp.resolve("none.img")), l.getMessage());
    }
}
