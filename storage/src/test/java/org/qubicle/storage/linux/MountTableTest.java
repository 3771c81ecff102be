package org.qubicle.storage.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mountinfo parsing: escapes, optional fields, the shared tag, malformed lines; statx's mount roots. */
class MountTableTest {
    @Test
    void parsesEntries() {
        List<MountTable.Entry> t = MountTable.parse(List.of(
                "36 35 98:0 / /mnt/a\\040b rw,noatime shared:1 master:2 - ext4 /dev/loop3 rw,noload",
                "37 35 0:40 / /run/x rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w",
                "garbage line"));
        assertEquals(2, t.size());
        MountTable.Entry a = t.get(0);
        assertEquals(Path.of("/mnt/a b"), a.mountPoint());
        assertEquals("ext4", a.fsType());
        assertEquals("/dev/loop3", a.source());
        assertEquals("rw,noload", a.superOptions());
        assertTrue(a.shared());
        assertFalse(t.get(1).shared());
        assertEquals("overlay", t.get(1).fsType());
    }

    @Test
    void readsOurOwnTable() {
        assertTrue(MountTable.isMounted(Path.of("/")), "the root is always mounted");
    }

    @Test
    void statxAndTheTableAgreeOnMountRoots() throws Exception {
        // /proc is a mount everywhere; a directory in it, a file and a missing path are not.
        for (Path p : List.of(Path.of("/proc"), Path.of("/proc/self/fd"), Path.of("/proc/version"),
                Path.of("/proc/no-such-thing"))) {
            boolean inTable = MountTable.read().stream().anyMatch(e -> e.mountPoint().equals(p));
            assertEquals(inTable, Stat.mountRoot(p).orElse(inTable), p.toString());
            assertEquals(inTable, MountTable.isMounted(p), p.toString());
        }
        assertEquals(java.util.Optional.of(true), Stat.mountRoot(Path.of("/proc")), "Linux 5.8 or later reports it");
    }
}
