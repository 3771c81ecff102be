package org.qubicle.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;
import org.qubicle.storage.VolumeId;

/** What the file pool puts on disk: names, modes, links, sparseness, file systems. No root. */
class FilePoolFilesTest {
    private static final long SIZE = 64L << 20;

    @TempDir
    Path tmp;
    Path dir;
    Pool pool;

    @org.junit.jupiter.api.AfterEach
    void awaitBackground() throws InterruptedException {
        pool.awaitBackgroundWork();
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectories(tmp.resolve("var/lib/qubes"));
        pool = new FilePoolDriver(tmp.resolve("run"))
                .open(new PoolConfig("varlibqubes", "file", Map.of("dir_path", dir.toString(), "revisions_to_keep", "2")));
        pool.setup();
    }

    private Volume privateOf(String qube) {
        return pool.volume(VolumeConfig.origin("private", "varlibqubes", VolumeId.forQube(false, qube, "private"), SIZE, 2));
    }

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void filesAreNamedAsFileReflinkNamesThemAndAre0600() throws IOException, InterruptedException {
        Volume v = privateOf("work");
        v.create();
        pool.awaitBackgroundWork();
        Path qdir = dir.resolve("appvms/work");
        assertEquals(List.of("private-precache.img", "private.img"), names(qdir));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(qdir.resolve("private.img"))));
        assertEquals(SIZE, Files.size(qdir.resolve("private.img")));
        assertTrue(Ext4.isExt(qdir.resolve("private.img")), "a private volume is a raw ext4 image");
        assertTrue(FileOps.allocated(qdir.resolve("private.img")) < SIZE / 4, "and sparse");
        v.start();
        assertEquals(List.of("private-dirty.img", "private.img"), names(qdir));
        assertEquals(qdir.resolve("private-dirty.img").toString(), v.path(), "Info's path, as file-reflink reports it");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(qdir.resolve("private-dirty.img"))));
        assertTrue(FileOps.allocated(qdir.resolve("private-dirty.img")) < SIZE / 4, "the copy stays sparse");
        v.stop();
        pool.awaitBackgroundWork();
        List<String> after = names(qdir);
        assertEquals(3, after.size(), after::toString);
        assertEquals("private-precache.img", after.get(0));
        assertEquals("private.img", after.get(1));
        assertTrue(after.get(2).matches("private\\.img\\.1@\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), after.get(2));
    }

    @Test
    void startRenamesACurrentPrecacheAndIgnoresAStaleOne() throws IOException, InterruptedException {
        Volume v = privateOf("work");
        v.create();
        pool.awaitBackgroundWork();
        Path qdir = dir.resolve("appvms/work");
        Path precache = qdir.resolve("private-precache.img");
        String precacheInode = FileOps.inodeKey(precache);
        v.start();
        assertEquals(precacheInode, FileOps.inodeKey(qdir.resolve("private-dirty.img")), "start was a rename");
        assertFalse(Files.exists(precache));
        v.stop();
        pool.awaitBackgroundWork();
        assertTrue(Files.exists(precache));
        // The committed image changes behind the precache's back: it is stale now.
        try (var f = new java.io.RandomAccessFile(qdir.resolve("private.img").toFile(), "rw")) {
            f.seek(SIZE - 1);
            f.write(0x5a);
        }
        v.start();
        try (var f = new java.io.RandomAccessFile(qdir.resolve("private-dirty.img").toFile(), "r")) {
            f.seek(SIZE - 1);
            assertEquals(0x5a, f.read(), "a stale precache is not used");
        }
        assertFalse(Files.exists(precache));
        v.stop();
    }

    @Test
    void aRevisionIsTheOldCommittedInode() {
        Volume v = privateOf("work");
        v.create();
        Path clean = dir.resolve("appvms/work/private.img");
        String before = FileOps.inodeKey(clean);
        v.start();
        v.stop();
        Path rev = ((FileVolume) v).layout.revisions().getFirst().path();
        assertEquals(before, FileOps.inodeKey(rev));
        assertNotEquals(before, FileOps.inodeKey(clean));
    }

    @Test
    void aSnapshotHardLinksTheSourceAndCopiesNothing() {
        Volume tpl = pool.volume(VolumeConfig.origin("root", "varlibqubes", VolumeId.forQube(true, "tpl", "root"), SIZE, 1));
        tpl.create();
        Volume app = pool.volume(VolumeConfig.snapshot("root", "varlibqubes", VolumeId.forQube(false, "app", "root"),
                tpl.config().vid(), SIZE));
        app.start();
        Path own = dir.resolve("appvms/app/root.img");
        assertEquals(FileOps.inodeKey(dir.resolve("vm-templates/tpl/root.img")), FileOps.inodeKey(own));
        Path dirty = dir.resolve("appvms/app/root-dirty.img");
        assertTrue(Ext4.isExt(dirty), "the dirty image is the overlay's empty upper file system");
        assertTrue(FileOps.allocated(dirty) < SIZE / 8);
        app.stop();
        assertFalse(Files.exists(own));
        assertFalse(Files.exists(dirty));
    }

    @Test
    void leftoversOfAnInterruptedCopyAreRemovedAtStart() throws IOException {
        Volume v = privateOf("work");
        v.create();
        Path junk = dir.resolve("appvms/work/private-dirty.img~1234");
        Files.writeString(junk, "half a copy");
        Files.writeString(dir.resolve("appvms/work/private-import.img"), "half an import");
        v.start();
        assertFalse(Files.exists(junk));
        assertFalse(Files.exists(dir.resolve("appvms/work/private-import.img")));
        v.stop();
    }

    @Test
    void resizeOfAHaltedVolumeGrowsTheFileSystemAndSparesRevisions() {
        Volume v = privateOf("work");
        v.create();
        v.start();
        v.stop();
        Path rev = ((FileVolume) v).layout.revisions().getFirst().path();
        long revBlocks = blockCount(rev);
        long before = blockCount(dir.resolve("appvms/work/private.img"));
        v.resize(2 * SIZE);
        assertEquals(2 * SIZE, v.size());
        assertEquals(2 * before, blockCount(dir.resolve("appvms/work/private.img")), "resize2fs grew the file system");
        assertEquals(revBlocks, blockCount(rev), "the revision sharing the old inode is untouched");
        assertEquals(SIZE, rev.toFile().length());
    }

    static long blockCount(Path image) {
        String out = Exec.check("dumpe2fs", "-h", image.toString());
        return out.lines().filter(l -> l.startsWith("Block count:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip()))
                .findFirst().orElseThrow();
    }

    @Test
    void aTreeBecomesATemplateRoot() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(tree.resolve("os-release"), "ID=debian\n");
        Path img = tmp.resolve("root-build.img");
        TreeImage.build(tmp.resolve("tree"), img, SIZE);
        Volume root = pool.volume(VolumeConfig.origin("root", "varlibqubes", VolumeId.forQube(true, "debian-12", "root"), SIZE, 1));
        root.create();
        try (var in = Files.newInputStream(img)) {
            root.importData(in, Files.size(img));
        }
        String cat = Exec.check("debugfs", "-R", "cat /etc/os-release", dir.resolve("vm-templates/debian-12/root.img").toString());
        assertTrue(cat.contains("ID=debian"), cat);
        assertThrows(org.qubicle.model.exc.QubesValueError.class, () -> TreeImage.build(tmp.resolve("nope"), img, SIZE));
    }

    @Test
    void theRootPartitionOfAQubesStyleDiskIsFound() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path img = tmp.resolve("disk.img");
        GptImage.build(img, SIZE, tree);
        Ext4.Extent fs = Ext4.locate(img).orElseThrow();
        assertEquals(GptImage.ROOT_FIRST_LBA * GptImage.SECTOR, fs.offset());
        assertEquals(SIZE - 33 * 512 - fs.offset(), fs.length(), "first to last LBA inclusive");
        assertFalse(Ext4.isExt(img), "the disk itself is not a file system");
        Path junk = tmp.resolve("junk.img");
        Files.write(junk, new byte[8192]);
        assertTrue(Ext4.locate(junk).isEmpty());
    }

    @Test
    void volumeIdsListTheVolumesOnDisk() {
        privateOf("b").create();
        privateOf("a").create();
        pool.volume(VolumeConfig.origin("root", "varlibqubes", VolumeId.forQube(true, "t", "root"), SIZE, 1)).create();
        assertEquals(List.of("appvms/a/private", "appvms/b/private", "vm-templates/t/root"),
                pool.volumeIds().stream().map(VolumeId::value).toList());
    }

    @Test
    void mountWithoutStartIsRefused() {
        Volume v = privateOf("work");
        v.create();
        assertThrows(StoragePoolException.class, v::mount);
    }

    @Test
    void driverChecksItsOptions() {
        FilePoolDriver d = new FilePoolDriver(tmp);
        assertEquals("file revisions_to_keep dir_path ephemeral_volatile", d.listDriversLine());
        assertThrows(ProtocolError.class, () -> d.open(new PoolConfig("p", "file", Map.of("dir_path", "/x", "bogus", "1"))));
        assertThrows(QubesException.class, () -> d.open(new PoolConfig("p", "file", Map.of())));
        assertThrows(QubesException.class, () -> d.open(new PoolConfig("p", "file", Map.of("dir_path", "rel"))));
        assertTrue(d.probe().available(), () -> "e2fsprogs should be installed: " + d.probe().reasons());
    }
}
