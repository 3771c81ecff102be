package org.qubicle.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesNotImplementedError;
import org.qubicle.model.exc.QubesVolumeRevisionNotFoundError;
import org.qubicle.model.exc.StoragePoolException;

/**
 * The semantics every pool driver must have (qubes-model.md 7.3 and 7.4), run against the
 * in-memory fake and the file pool alike. The test plays the qube through
 * {@link #writeRunning} and {@link #readRunning}.
 */
public abstract class PoolContract {
    protected static final long SIZE = 16L << 20;
    protected static final String POOL = "varlibqubes";

    protected Pool pool;

    /** A fresh, set-up pool named {@link #POOL} with revisions_to_keep=1. */
    protected abstract Pool newPool() throws IOException;

    /** The same pool reopened, as after a daemon crash: nothing carried in memory. */
    protected abstract Pool reopen(Pool old);

    /** Writes into an origin volume's running state, as the qube would. */
    protected abstract void writeRunning(Volume v, long offset, byte[] data) throws IOException;

    /** Reads an origin volume's running state. */
    protected abstract byte[] readRunning(Volume v, long offset, int length) throws IOException;

    @org.junit.jupiter.api.AfterEach
    void awaitBackground() throws InterruptedException {
        pool.awaitBackgroundWork();
    }

    @BeforeEach
    void open() throws IOException {
        pool = newPool();
    }

    protected static VolumeId vid(boolean template, String qube, String vol) {
        return VolumeId.forQube(template, qube, vol);
    }

    protected Volume origin(String qube, int revisions) {
        return pool.volume(VolumeConfig.origin("private", POOL, vid(false, qube, "private"), SIZE, revisions));
    }

    protected static byte[] data(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static byte[] exported(Volume v) throws IOException {
        try (InputStream in = v.export()) {
            return in.readAllBytes();
        }
    }

    /** An image of SIZE whose first bytes are {@code head}. */
    protected static byte[] image(byte[] head) {
        return Arrays.copyOf(head, (int) SIZE);
    }

    protected static void importImage(Volume v, byte[] head) {
        v.importData(new ByteArrayInputStream(image(head)), SIZE);
    }

    private static byte[] head(byte[] img, int n) {
        return Arrays.copyOf(img, n);
    }

    @Test
    void importExportRoundTrip() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        byte[] img = image(data(1, 100_000));
        v.importData(new ByteArrayInputStream(img), img.length);
        assertArrayEquals(img, exported(v));
        assertEquals(SIZE, v.size());
    }

    @Test
    void importOfWrongLengthFailsAndChangesNothing() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 1000));
        List<String> before = v.revisions();
        assertThrows(StoragePoolException.class, () -> v.importData(new ByteArrayInputStream(new byte[10]), 11));
        assertThrows(StoragePoolException.class, () -> v.importData(new ByteArrayInputStream(new byte[12]), 11));
        assertArrayEquals(data(1, 1000), head(exported(v), 1000));
        assertEquals(before, v.revisions());
    }

    @Test
    void originCommitsAtStopAndExportShowsStateBeforeStart() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 1000));
        v.start();
        assertTrue(v.isDirty());
        writeRunning(v, 0, data(2, 1000));
        assertArrayEquals(data(1, 1000), head(exported(v), 1000), "export gives the clean image while running");
        v.stop();
        assertFalse(v.isDirty());
        assertArrayEquals(data(2, 1000), head(exported(v), 1000));
    }

    @Test
    void revisionsAreKeptAndPruned() throws IOException {
        Volume v = origin("work", 2);
        v.create();
        for (int i = 1; i <= 4; i++) {
            v.start();
            writeRunning(v, 0, data(i, 100));
            v.stop();
        }
        List<String> revs = v.revisions();
        assertEquals(List.of("3", "4"), revs, "ids count up, oldest first, pruned to revisions_to_keep");
        v.revert("4");
        assertArrayEquals(data(3, 100), head(exported(v), 100));
    }

    @Test
    void revertIsNotDestructive() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 100));
        importImage(v, data(2, 100));
        String old = v.revisions().getLast();
        v.revert(old);
        assertArrayEquals(data(1, 100), head(exported(v), 100));
        String saved = v.revisions().getLast();
        v.revert(saved);
        assertArrayEquals(data(2, 100), head(exported(v), 100), "the state before revert was kept");
    }

    @Test
    void revertRefusesUnknownRevisionAndDirtyVolume() {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 100));
        assertThrows(QubesVolumeRevisionNotFoundError.class, () -> v.revert("99"));
        String rev = v.revisions().getFirst();
        v.start();
        assertThrows(StoragePoolException.class, () -> v.revert(rev));
        v.stop();
    }

    @Test
    void crashLeavesDirtyStateThatTheNextStartReuses() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        v.start();
        writeRunning(v, 0, data(7, 100));
        pool = reopen(pool);
        Volume again = origin("work", 1);
        assertTrue(again.isDirty());
        again.start();
        assertArrayEquals(data(7, 100), readRunning(again, 0, 100), "the dirty image was reused, not recopied");
        again.stop();
        assertArrayEquals(data(7, 100), head(exported(again), 100));
    }

    @Test
    void snapshotSeesTheLastCommittedStateAndIsOutdatedAfterACommit() throws IOException {
        Volume tpl = pool.volume(VolumeConfig.origin("root", POOL, vid(true, "tpl", "root"), SIZE, 1));
        tpl.create();
        importImage(tpl, data(1, 100));
        tpl.start();
        writeRunning(tpl, 0, data(2, 100));
        Volume app = pool.volume(VolumeConfig.snapshot("root", POOL, vid(false, "app", "root"), tpl.config().vid(), SIZE));
        app.start();
        assertFalse(app.isOutdated(), "started from the committed root while the template runs");
        assertFalse(app.isDirty(), "dirty means save_on_stop only");
        tpl.stop();
        assertTrue(app.isOutdated(), "the template committed a newer root");
        app.stop();
        app.start();
        assertFalse(app.isOutdated());
        app.stop();
        assertFalse(pool.volumeIds().contains(app.config().vid()), "a stopped snapshot leaves nothing");
    }

    @Test
    void snapshotsDisabledUsesTheVolumeInPlace() throws IOException {
        Volume tpl = pool.volume(VolumeConfig.origin("root", POOL, vid(true, "tpl", "root"), SIZE, -1));
        tpl.create();
        importImage(tpl, data(1, 100));
        tpl.start();
        assertTrue(tpl.revisions().isEmpty(), "no revisions with snapshots disabled");
        Volume app = pool.volume(VolumeConfig.snapshot("root", POOL, vid(false, "app", "root"), tpl.config().vid(), SIZE));
        assertThrows(StoragePoolException.class, app::start, "nothing snapshots a running -1 volume");
        Volume clone = origin("clone", 1);
        clone.create();
        assertThrows(StoragePoolException.class, () -> clone.importFrom(tpl));
        writeRunning(tpl, 0, data(2, 100));
        tpl.stop();
        assertTrue(tpl.revisions().isEmpty());
        assertArrayEquals(data(2, 100), head(exported(tpl), 100));
        app.start();
        app.stop();
    }

    @Test
    void volatileStartsEmptyAndVanishesAtStop() {
        Volume v = pool.volume(VolumeConfig.volatileVolume("volatile", POOL, vid(false, "work", "volatile"), SIZE));
        v.create();
        assertFalse(pool.volumeIds().contains(v.config().vid()));
        v.start();
        assertFalse(v.isDirty());
        assertTrue(pool.volumeIds().contains(v.config().vid()));
        v.stop();
        assertFalse(pool.volumeIds().contains(v.config().vid()));
        assertThrows(QubesNotImplementedError.class, v::export);
        assertThrows(QubesNotImplementedError.class, () -> v.importData(InputStream.nullInputStream(), 0));
    }

    @Test
    void cloneCopiesTheCommittedData() throws IOException {
        Volume src = origin("work", 1);
        src.create();
        importImage(src, data(5, 1000));
        Volume dst = origin("copy", 1);
        dst.create();
        dst.importFrom(src);
        assertArrayEquals(exported(src), exported(dst));
        dst.start();
        writeRunning(dst, 0, data(6, 1000));
        dst.stop();
        assertArrayEquals(data(5, 1000), head(exported(src), 1000), "the clone is a copy, not a share");
    }

    @Test
    void resizeGrowsAndRefusesWhatTheDriverCannotDo() {
        Volume v = origin("work", 1);
        v.create();
        v.resize(2 * SIZE);
        assertEquals(2 * SIZE, v.size());
        assertEquals(2 * SIZE, v.config().size());
        assertThrows(StoragePoolException.class, () -> v.resize(SIZE));
        Volume tpl = pool.volume(VolumeConfig.origin("root", POOL, vid(true, "tpl", "root"), SIZE, 1));
        tpl.create();
        Volume app = pool.volume(VolumeConfig.snapshot("root", POOL, vid(false, "app", "root"), tpl.config().vid(), SIZE));
        assertThrows(StoragePoolException.class, () -> app.resize(2 * SIZE));
        Volume ro = pool.volume(VolumeConfig.origin("private", POOL, vid(false, "ro", "private"), SIZE, 1).withRw(false));
        assertThrows(StoragePoolException.class, () -> ro.resize(2 * SIZE));
    }

    @Test
    void resizeWhileRunningKeepsTheNewSizeAfterCommit() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        v.start();
        v.resize(2 * SIZE);
        writeRunning(v, SIZE + 10, data(3, 10));
        v.stop();
        assertEquals(2 * SIZE, v.size());
    }

    @Test
    void clearEmptiesAndKeepsTheOldStateAsARevision() throws IOException {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 100));
        v.clear();
        assertArrayEquals(new byte[(int) SIZE], exported(v), "zeros of the same size");
        v.revert(v.revisions().getLast());
        assertArrayEquals(data(1, 100), head(exported(v), 100));
    }

    @Test
    void removeDeletesEverything() {
        Volume v = origin("work", 1);
        v.create();
        importImage(v, data(1, 100));
        assertTrue(pool.volumeIds().contains(v.config().vid()));
        v.remove();
        assertFalse(pool.volumeIds().contains(v.config().vid()));
        assertThrows(StoragePoolException.class, v::verify);
    }

    @Test
    void bothFlagsAreRefused() {
        VolumeConfig both = new VolumeConfig("root", POOL, vid(false, "x", "root"), SIZE, true, true, true,
                vid(true, "tpl", "root"), 1, false);
        assertThrows(StoragePoolException.class, () -> pool.volume(both));
    }

    @Test
    void ephemeralIsRefusedByName() {
        Volume v = pool.volume(VolumeConfig.volatileVolume("volatile", POOL, vid(false, "w", "volatile"), SIZE)
                .withEphemeral(true));
        assertThrows(QubesNotImplementedError.class, v::start);
    }

    @Test
    void switchingSnapshotsOffNeedsTheVolumeStopped() {
        Volume v = origin("work", 1);
        v.create();
        v.start();
        assertThrows(StoragePoolException.class, () -> v.setRevisionsToKeep(-1));
        v.setRevisionsToKeep(3);
        assertEquals(3, v.config().revisionsToKeep());
        assertThrows(StoragePoolException.class, () -> v.setRw(false));
        v.stop();
        v.setRevisionsToKeep(-1);
        assertTrue(v.config().snapshotsDisabled());
    }
}
