package org.qubicle.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;

/** The file pool with real loop devices and overlays, as root. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class FilePoolMountTest {
    private static final long MIB = 1L << 20;
    private static final String POOL = "varlibqubes";

    @TempDir
    Path tmp;
    Pool pool;

    @BeforeEach
    void setUp() throws IOException {
        pool = open();
    }

    private Pool open() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("var/lib/qubes"));
        Pool p = new FilePoolDriver(tmp.resolve("run/qubes"))
                .open(new PoolConfig(POOL, "file", Map.of("dir_path", dir.toString(), "revisions_to_keep", "1")));
        p.setup();
        return p;
    }

    @AfterEach
    void noLeaks() throws IOException, InterruptedException {
        pool.awaitBackgroundWork();
        try {
            LeakCheck.assertClean(tmp);
        } finally {
            LeakCheck.forceCleanup(tmp);
        }
    }

    private Volume privateOf(String qube, long size) {
        return pool.volume(VolumeConfig.origin("private", POOL, VolumeId.forQube(false, qube, "private"), size, 1));
    }

    private Volume templateRoot(String tpl) {
        return pool.volume(VolumeConfig.origin("root", POOL, VolumeId.forQube(true, tpl, "root"), 64 * MIB, 1));
    }

    private Volume appRoot(String app, String tpl) {
        return pool.volume(VolumeConfig.snapshot("root", POOL, VolumeId.forQube(false, app, "root"),
                VolumeId.forQube(true, tpl, "root"), 64 * MIB));
    }

    private static String read(Mounted m, String file) throws IOException {
        return Files.readString(m.path().resolve(file));
    }

    private static void write(Mounted m, String file, String text) throws IOException {
        Files.writeString(m.path().resolve(file), text);
    }

    private static long capacity(Mounted m) throws IOException {
        return Files.getFileStore(m.path()).getTotalSpace();
    }

    @Test
    void privateVolumePersistsAndEnforcesItsSize() throws IOException {
        Volume v = privateOf("work", 32 * MIB);
        v.create();
        v.start();
        try (Mounted m = v.mount()) {
            write(m, "hello", "persisted");
            IOException full = assertThrows(IOException.class, () -> {
                try (OutputStream out = Files.newOutputStream(m.path().resolve("big"))) {
                    byte[] chunk = new byte[1 << 20];
                    for (int i = 0; i < 64; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                }
            });
            assertTrue(String.valueOf(full.getMessage()).contains("No space left on device"), full.toString());
            Files.delete(m.path().resolve("big"));
        }
        v.stop();
        LeakCheck.assertClean(tmp);
        v.start();
        try (Mounted m = v.mount()) {
            assertEquals("persisted", read(m, "hello"));
        }
        v.stop();
    }

    @Test
    void resizeGrowsTheFileSystemHaltedAndRunning() throws IOException {
        Volume v = privateOf("work", 32 * MIB);
        v.create();
        v.start();
        long c1;
        try (Mounted m = v.mount()) {
            c1 = capacity(m);
        }
        v.stop();
        v.resize(64 * MIB);
        v.start();
        Mounted m = v.mount();
        long c2 = capacity(m);
        assertTrue(c2 > c1 + 28 * MIB, c1 + " -> " + c2);
        if (hasCapSysResource()) {
            v.resize(96 * MIB);
            assertTrue(capacity(m) > c2 + 28 * MIB, "grown online while mounted: " + c2 + " -> " + capacity(m));
        } else {
            // Online growth needs CAP_SYS_RESOURCE; without it the resize stands and says so.
            StoragePoolException e = assertThrows(StoragePoolException.class, () -> v.resize(96 * MIB));
            assertTrue(e.getMessage().contains("grows at the next start"), e.getMessage());
        }
        write(m, "after", "grow");
        v.stop();
        assertFalse(Mounts.isMounted(m.path()), "stop unmounts");
        m.close();
        assertEquals(96 * MIB, v.size());
        v.start();
        try (Mounted m2 = v.mount()) {
            assertTrue(capacity(m2) > c2 + 28 * MIB, "the file system fills the resized volume");
            assertEquals("grow", read(m2, "after"));
        }
        v.stop();
    }

    /** Bit 24 of the effective capabilities; some containers drop it even for root. */
    private static boolean hasCapSysResource() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseLong(line.substring(7).strip(), 16) & (1L << 24)) != 0;
            }
        }
        return false;
    }

    @Test
    void appVmSeesThePreviousRootWhileTheTemplateRunsAndTheNewOneAfterRestart() throws IOException {
        Volume tpl = templateRoot("tpl");
        tpl.create();
        tpl.start();
        try (Mounted m = tpl.mount()) {
            write(m, "version", "1");
        }
        tpl.stop();

        Volume app1 = appRoot("app1", "tpl");
        app1.start();
        Mounted a1 = app1.mount();
        assertEquals("1", read(a1, "version"));
        write(a1, "scratch", "thrown away");

        tpl.start();
        Mounted t = tpl.mount();
        write(t, "version", "2");
        Volume app2 = appRoot("app2", "tpl");
        app2.start();
        Mounted a2 = app2.mount();
        assertEquals("1", read(a2, "version"), "an AppVM started while the template runs sees the last committed root");
        assertEquals(1, lowers(), "AppVMs of one committed root share one lower mount");
        Mounted.Layers layers = a2.layers().orElseThrow();
        assertEquals("1", Files.readString(layers.lower().resolve("version")));
        assertEquals(a1.layers().orElseThrow().lower(), layers.lower());
        assertTrue(Files.isDirectory(layers.upper()) && Files.isDirectory(layers.work()));
        assertTrue(t.layers().isEmpty(), "an origin has no layers");

        tpl.stop();
        assertFalse(Mounts.isMounted(t.path()));
        assertTrue(app1.isOutdated());
        assertTrue(app2.isOutdated());
        assertEquals("1", read(a1, "version"), "a running AppVM keeps its root");

        app1.stop();
        app1.start();
        try (Mounted again = app1.mount()) {
            assertFalse(app1.isOutdated());
            assertEquals("2", read(again, "version"), "after the template committed and the AppVM restarted");
            assertFalse(Files.exists(again.path().resolve("scratch")), "an AppVM's root writes are discarded");
            assertEquals(2, lowers(), "old and new committed roots are both in use");
        }
        app1.stop();
        app2.stop();
        assertEquals(0, lowers());
    }

    @Test
    void appVmsStartingAndStoppingTogetherShareOneLower() throws Exception {
        Volume tpl = templateRoot("tpl");
        tpl.create();
        List<Volume> apps = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            apps.add(appRoot("app" + i, "tpl"));
        }
        List<Mounted> mounted = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (Volume a : apps) {
                fs.add(exec.submit(() -> {
                    a.start();
                    mounted.add(a.mount());
                    return null;
                }));
            }
            for (var f : fs) {
                f.get();
            }
        }
        assertEquals(4, mounted.size());
        assertEquals(1, lowers(), "one lower for the one committed root");
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (Volume a : apps) {
                fs.add(exec.submit(() -> {
                    a.stop();
                    return null;
                }));
            }
            for (var f : fs) {
                f.get();
            }
        }
        assertEquals(0, lowers());
    }

    private long lowers() {
        Path lowerRoot = tmp.resolve("run/qubes/storage").resolve(POOL).resolve("lower");
        return Mounts.table().stream().filter(e -> e.mountPoint().startsWith(lowerRoot)).count();
    }

    @Test
    void aQubesStylePartitionedRootWorksForTheTemplateAndItsAppVms() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(tree.resolve("qubes-release"), "R4.3");
        Path disk = tmp.resolve("root-gpt.img");
        GptImage.build(disk, 64 * MIB, tmp.resolve("tree"));
        Volume tpl = templateRoot("fedora");
        tpl.create();
        try (var in = Files.newInputStream(disk)) {
            tpl.importData(in, Files.size(disk));
        }
        tpl.start();
        try (Mounted m = tpl.mount()) {
            assertEquals("R4.3", read(m, "etc/qubes-release"));
            write(m, "etc/qubes-release", "R4.3 updated");
        }
        tpl.stop();
        Volume app = appRoot("work", "fedora");
        app.start();
        try (Mounted m = app.mount()) {
            assertEquals("R4.3 updated", read(m, "etc/qubes-release"));
        }
        app.stop();
    }

    @Test
    void disposablePrivateIsASnapshotOfTheDisposableTemplatesPrivate() throws IOException {
        Volume dvmPrivate = privateOf("dvm", 32 * MIB);
        dvmPrivate.create();
        dvmPrivate.start();
        try (Mounted m = dvmPrivate.mount()) {
            write(m, "bookmarks", "from the dvm template");
        }
        dvmPrivate.stop();
        Volume dispPrivate = pool.volume(VolumeConfig.snapshot("private", POOL, VolumeId.forQube(false, "disp1234", "private"),
                dvmPrivate.config().vid(), 32 * MIB));
        dispPrivate.start();
        try (Mounted m = dispPrivate.mount()) {
            assertEquals("from the dvm template", read(m, "bookmarks"));
            write(m, "bookmarks", "changed in the disposable");
        }
        dispPrivate.stop();
        dvmPrivate.start();
        try (Mounted m = dvmPrivate.mount()) {
            assertEquals("from the dvm template", read(m, "bookmarks"), "nothing survives the disposable");
        }
        dvmPrivate.stop();
        assertFalse(Files.exists(tmp.resolve("var/lib/qubes/appvms/disp1234/private-dirty.img")));
    }

    @Test
    void volatileIsEmptyAtEveryStart() throws IOException {
        Volume v = pool.volume(VolumeConfig.volatileVolume("volatile", POOL, VolumeId.forQube(false, "w", "volatile"), 256 * MIB));
        v.start();
        try (Mounted m = v.mount()) {
            write(m, "swap", "x");
        }
        v.stop();
        v.start();
        try (Mounted m = v.mount()) {
            assertFalse(Files.exists(m.path().resolve("swap")));
            assertTrue(capacity(m) > 200 * MIB);
        }
        v.stop();
    }

    @Test
    void aCrashedRunIsAdoptedAndItsDirtyImageReused() throws IOException, InterruptedException {
        Volume v = privateOf("work", 32 * MIB);
        v.create();
        v.start();
        Mounted m = v.mount();
        write(m, "unsaved", "work in progress");
        Path path = m.path();
        // The daemon dies here: no stop, no unmount. A new daemon opens the pool again.
        pool.awaitBackgroundWork();
        pool = open();
        Volume again = privateOf("work", 32 * MIB);
        assertTrue(again.isDirty());
        again.start();
        Mounted adopted = again.mount();
        assertEquals(path, adopted.path());
        assertEquals("work in progress", read(adopted, "unsaved"));
        again.stop();
        again.start();
        try (Mounted fresh = again.mount()) {
            assertEquals("work in progress", read(fresh, "unsaved"), "committed at the clean stop");
        }
        again.stop();
    }

    @Test
    void aClearedVolumeIsFormattedAtMount() throws IOException {
        Volume v = privateOf("work", 32 * MIB);
        v.create();
        v.clear();
        v.start();
        try (Mounted m = v.mount()) {
            write(m, "new", "file system");
        }
        v.stop();
        assertTrue(Ext4.isExt(tmp.resolve("var/lib/qubes/appvms/work/private.img")));
    }

    @Test
    void removeWhileMountedUnmountsFirst() throws IOException {
        Volume v = privateOf("work", 32 * MIB);
        v.create();
        v.start();
        Mounted m = v.mount();
        v.remove();
        assertFalse(Mounts.isMounted(m.path()));
        assertEquals(List.of(), pool.volumeIds());
        assertNotEquals(null, m.path());
    }
}
