package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.exc.StoragePoolException;

/**
 * Loop and overlay mounts, read back from {@code /proc/self/mountinfo} so that nothing
 * about them lives only in memory: a restarted daemon sees exactly what is mounted.
 *
 * <p>Every image mount names its type ({@code -t ext4}): images hold data a qube wrote, and
 * letting mount(8) probe them would expose every file system driver to that data. Every
 * mount is {@code nodev}: no device node written in a qube ever works on the host.
 */
final class Mounts {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Mounts.class.getName());
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Mounts() {}

    /** One line of mountinfo: mount point, file system type, source, super options. */
    record Entry(Path mountPoint, String fsType, String source, String superOptions, boolean shared) {}

    static List<Entry> table() {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            throw FileOps.fail("read " + MOUNTINFO, e);
        }
        List<Entry> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || f.length < dash + 4) {
                continue;
            }
            boolean shared = false;
            for (int i = 6; i < dash; i++) {
                shared |= f[i].startsWith("shared:");
            }
            out.add(new Entry(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]), unescape(f[dash + 3]), shared));
        }
        return out;
    }

    /** The last (topmost) mount at this point, if any. */
    static Optional<Entry> at(Path mountPoint) {
        Entry found = null;
        for (Entry e : table()) {
            if (e.mountPoint().equals(mountPoint)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    static boolean isMounted(Path mountPoint) {
        return at(mountPoint).isPresent();
    }

    /** Loop-mounts an ext4 image; mount(8) sets autoclear, so unmounting detaches the loop. */
    static void mountImage(Path image, Path target, boolean readOnly, String extraOptions) {
        mountImage(image, null, target, readOnly, extraOptions);
    }

    /** Loop-mounts the file system at {@code extent} (a partition) of an image; null for the whole image. */
    static void mountImage(Path image, Ext4.Extent extent, Path target, boolean readOnly, String extraOptions) {
        FileOps.ensureDir(target);
        String opts = "loop,nodev," + (readOnly ? "ro" : "rw") + (extraOptions.isEmpty() ? "" : "," + extraOptions);
        if (extent != null && !extent.whole()) {
            opts += ",offset=" + extent.offset() + ",sizelimit=" + extent.length();
        }
        Exec.check("mount", "-t", "ext4", "-o", opts, "--", image.toString(), target.toString());
    }

    static void mountOverlay(Path lower, Path upper, Path work, Path target, boolean readOnly) {
        FileOps.ensureDir(target);
        String opts = (readOnly ? "ro," : "") + "nodev,lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        Exec.check("mount", "-t", "overlay", "-o", opts, "--", "overlay", target.toString());
    }

    /**
     * Unmounts whatever is mounted at {@code target} (all stacked layers), then makes sure
     * the loop device behind it is gone, so no loop device outlives its mount.
     */
    static void unmount(Path target) {
        Optional<Entry> e;
        while ((e = at(target)).isPresent()) {
            if (!e.get().fsType().equals("none")) {
                // Flush this file system to its image first: should another mount namespace
                // still pin it (a copy made while it was mounted), our umount would not
                // write it back, yet the caller goes on to commit or copy the image.
                Exec.run("sync", "-f", "--", target.toString());
            }
            Exec.Result r = Exec.run("umount", "--", target.toString());
            if (r.exit() != 0) {
                throw new StoragePoolException("Cannot unmount " + target + ": " + r.output().strip());
            }
            String src = e.get().source();
            if (src.startsWith("/dev/loop")) {
                detach(src);
            }
        }
        try {
            Files.deleteIfExists(target);
        } catch (IOException ex) {
            // A non-empty mount point dir is harmless and reused next time.
        }
    }

    /**
     * Detaches a loop device once nothing uses it. Autoclear normally does this when the
     * last mount goes, but the kernel may finish that asynchronously; wait a bounded
     * time, then detach it ourselves.
     */
    static void detach(String device) {
        Path backing = Path.of("/sys/block", Path.of(device).getFileName().toString(), "loop", "backing_file");
        for (int i = 0; i < 250 && Files.exists(backing); i++) {
            if (i == 20) {
                // Sets autoclear on a busy device, detaches an idle one.
                Exec.run("losetup", "-d", device);
            }
            sleep(20);
        }
        if (Files.exists(backing)) {
            // Another mount namespace still holds a copy of the mount (made while it was
            // mounted, with private propagation). The device goes when that namespace lets
            // go; failing the stop would not make it go sooner.
            LOG.warning(device + " is still in use by another mount namespace; it detaches when that ends");
        }
    }

    /** Makes {@code dir} a shared mount point, so that namespaces copied as slaves see our unmounts. */
    static void makeShared(Path dir) {
        FileOps.ensureDir(dir);
        Optional<Entry> e = at(dir);
        if (e.isEmpty()) {
            Exec.check("mount", "--bind", "--", dir.toString(), dir.toString());
        }
        if (e.isEmpty() || !e.get().shared()) {
            Exec.check("mount", "--make-shared", "--", dir.toString());
        }
    }

    /** Loop devices attached to this file (by inode, so renames do not hide them). */
    static List<String> loopsFor(Path image) {
        if (!Files.exists(image)) {
            return List.of();
        }
        String out = Exec.check("losetup", "-j", image.toString());
        List<String> devs = new ArrayList<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/loop")) {
                devs.add(line.substring(0, colon));
            }
        }
        return devs;
    }

    /** Tells a loop device its backing file grew. */
    static void refreshCapacity(String device) {
        Exec.check("losetup", "-c", device);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoragePoolException("interrupted while detaching a loop device");
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
