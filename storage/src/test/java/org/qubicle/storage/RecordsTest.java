package org.qubicle.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesValueError;

class RecordsTest {
    private static final VolumeId TPL_ROOT = VolumeId.forQube(true, "debian-12", "root");

    @Test
    void volumeIdsAreSafePaths() {
        assertEquals("appvms/work/private", VolumeId.forQube(false, "work", "private").value());
        assertEquals("vm-templates/debian-12/root", TPL_ROOT.value());
        new VolumeId("6.1.0-13-amd64");
        for (String bad : List.of("", "/abs", "a//b", "a/../b", "..", "a/.", "a b", "a/b/", "x\n", "a/.hidden")) {
            assertThrows(QubesValueError.class, () -> new VolumeId(bad), bad);
        }
        assertThrows(QubesValueError.class, () -> new VolumeId("a".repeat(256)));
    }

    @Test
    void volumeConfigFollowsQubesFlagRules() {
        VolumeId vid = VolumeId.forQube(false, "work", "root");
        VolumeConfig snap = VolumeConfig.snapshot("root", "varlibqubes", vid, TPL_ROOT, 10L << 30);
        assertEquals(VolumeType.SNAPSHOT, snap.type());
        assertEquals(VolumeType.ORIGIN, VolumeConfig.origin("private", "p", vid, 1, 1).type());
        assertEquals(VolumeType.VOLATILE, VolumeConfig.volatileVolume("volatile", "p", vid, 1).type());
        assertThrows(QubesValueError.class,
                () -> new VolumeConfig("root", "p", vid, 1, true, false, true, null, 1, false), "snap_on_start needs a source");
        assertThrows(QubesValueError.class,
                () -> new VolumeConfig("root", "p", vid, 1, true, false, false, TPL_ROOT, 1, false), "source needs snap_on_start");
        assertThrows(QubesValueError.class, () -> VolumeConfig.origin("private", "p", vid, -1, 1));
        assertThrows(QubesValueError.class, () -> VolumeConfig.origin("private", "p", vid, 1, -2));
        assertTrue(VolumeConfig.origin("private", "p", vid, 1, -1).snapshotsDisabled());
        assertThrows(QubesValueError.class, () -> VolumeConfig.origin("private", "p", vid, 1, 1).withEphemeral(true));
        assertThrows(QubesValueError.class, () -> VolumeConfig.volatileVolume("volatile", "p", vid, 1).withRw(false).withEphemeral(true));
        assertTrue(VolumeConfig.volatileVolume("volatile", "p", vid, 1).withEphemeral(true).ephemeral());
        assertThrows(QubesValueError.class, () -> VolumeConfig.origin("Bad Name", "p", vid, 1, 1));
        assertEquals("", new VolumeConfig("kernel", "linux-kernel", null, 0, false, false, false, null, 0, false).vidText());
    }

    @Test
    void poolConfigValidatesAndSorts() {
        PoolConfig c = new PoolConfig("varlibqubes", "file", Map.of("revisions_to_keep", "3", "dir_path", "/var/lib/qubes"));
        assertEquals(List.of("dir_path", "driver", "name", "revisions_to_keep"), List.copyOf(c.info().keySet()));
        assertEquals(3, c.revisionsToKeep());
        assertFalse(c.ephemeralVolatile());
        assertTrue(c.with("ephemeral_volatile", "True").ephemeralVolatile());
        assertEquals(1, new PoolConfig("p", "file", Map.of()).revisionsToKeep());
        assertThrows(QubesValueError.class, () -> new PoolConfig("bad name", "file", Map.of()));
        assertThrows(QubesValueError.class, () -> new PoolConfig("p", "file", Map.of("name", "x")));
        assertThrows(QubesValueError.class, () -> new PoolConfig("p", "file", Map.of("k", "a\nb")));
        assertThrows(QubesValueError.class, () -> new PoolConfig("p", "file", Map.of("revisions_to_keep", "-2")).revisionsToKeep());
        assertThrows(QubesValueError.class, () -> new PoolConfig("p", "file", Map.of("revisions_to_keep", "x")).revisionsToKeep());
        assertThrows(QubesValueError.class, () -> PoolConfig.parseBool("maybe"));
    }

    @Test
    void registryListsDriversAsQubesDoes() {
        PoolDrivers d = PoolDrivers.standard(Path.of("/run/qubes"));
        assertEquals("file revisions_to_keep dir_path ephemeral_volatile\nlinux-kernel dir_path\n", d.listDrivers());
        assertThrows(QubesException.class, () -> d.open(new PoolConfig("x", "lvm_thin", Map.of())));
        assertEquals("file", d.best().orElseThrow().name());
        List<PoolConfig> defaults = PoolDrivers.defaultPools(Path.of("/q/var/lib/qubes"));
        assertEquals("varlibqubes", defaults.get(0).name());
        assertEquals("/q/var/lib/qubes/vm-kernels", defaults.get(1).option("dir_path").orElseThrow());
    }
}
