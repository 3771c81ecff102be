package org.qubicle.storage.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mountinfo parsing: escapes, optional fields, the shared tag, malformed lines. */
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
}
