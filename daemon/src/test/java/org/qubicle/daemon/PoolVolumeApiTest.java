package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** admin.pool.* and admin.vm.volume.*, at the metadata level. */
class PoolVolumeApiTest extends ApiTestBase {
    @Test
    void pools() throws Exception {
        assertEquals("linux-kernel\nvarlibqubes\n", ok("admin.pool.List", "", "dom0"));
        assertTrue(ok("admin.pool.ListDrivers", "", "dom0").contains("file dir_path revisions_to_keep ephemeral_volatile\n"));
        String info = ok("admin.pool.Info", "varlibqubes", "dom0");
        assertTrue(info.contains("driver=file\n") && info.contains("name=varlibqubes\n")
                && info.contains("dir_path=" + root.resolve("var/lib/qubes") + "\n"), info);
        err("PermissionDenied", "admin.pool.Info", "nosuch", "dom0");
        ok("admin.pool.UsageDetails", "varlibqubes", "dom0");
        ok("admin.pool.Add", "file", "dom0", "name=p2\ndir_path=/srv/p2\nrevisions_to_keep=3\n");
        assertEquals("linux-kernel\np2\nvarlibqubes\n", ok("admin.pool.List", "", "dom0"));
        assertTrue(ok("admin.pool.Info", "p2", "dom0").contains("revisions_to_keep=3\n"));
        byte[] before = xml();
        err("QubesPoolInUseError", "admin.pool.Add", "file", "dom0", "name=p2\ndir_path=/srv/p2\n");
        err("ProtocolError", "admin.pool.Add", "file", "dom0", "name=p3\ndir_path=/srv/p3\nvolume_group=x\n");
        err("QubesException", "admin.pool.Add", "file", "dom0", "name=p3\n");
        err("ProtocolError", "admin.pool.Add", "file", "dom0", "dir_path=/srv/p3\n");
        err("PermissionDenied", "admin.pool.Add", "nosuchdriver", "dom0", "name=p3\n");
        err("ProtocolError", "admin.pool.Set.revisions_to_keep", "p2", "dom0", "-2");
        err("ProtocolError", "admin.pool.Set.revisions_to_keep", "p2", "dom0", "x");
        err("PermissionDenied", "admin.pool.Remove", "nosuch", "dom0");
        assertXmlUnchanged(before);
        ok("admin.pool.Set.revisions_to_keep", "p2", "dom0", "-1");
        assertTrue(ok("admin.pool.Info", "p2", "dom0").contains("revisions_to_keep=-1\n"));
        ok("admin.vm.CreateInPool.StandaloneVM", "", "dom0", "name=inp2 label=red pool=p2");
        err("QubesPoolInUseError", "admin.pool.Remove", "p2", "dom0");
        ok("admin.vm.Remove", "", "inp2");
        ok("admin.pool.Remove", "p2", "dom0");
        assertFalse(ok("admin.pool.List", "", "dom0").contains("p2"));
    }

    @Test
    void volumes() throws Exception {
        createBasics();
        assertEquals("kernel\nprivate\nroot\nvolatile\n", ok("admin.vm.volume.List", "", "work"));
        assertEquals("", ok("admin.vm.volume.List", "", "dom0"));
        String info = ok("admin.vm.volume.Info", "private", "work");
        String[] keys = info.lines().map(l -> l.substring(0, l.indexOf('='))).toArray(String[]::new);
        assertEquals(String.join(",", "pool", "vid", "size", "usage", "rw", "source", "path", "save_on_stop",
                "snap_on_start", "revisions_to_keep", "ephemeral", "is_outdated"), String.join(",", keys));
        assertTrue(info.contains("save_on_stop=True\n") && info.contains("size=2147483648\n"), info);
        String root = ok("admin.vm.volume.Info", "root", "work");
        assertTrue(root.contains("snap_on_start=True\n") && root.contains("source=vm-templates/tpl/root\n"), root);
        err("PermissionDenied", "admin.vm.volume.Info", "swap", "work");
        assertEquals("", ok("admin.vm.volume.ListSnapshots", "private", "work"));
        ok("admin.vm.volume.Resize", "private", "work", "4294967296");
        assertTrue(ok("admin.vm.volume.Info", "private", "work").contains("size=4294967296\n"));
        byte[] before = xml();
        err("StoragePoolException", "admin.vm.volume.Resize", "private", "work", "1024");
        err("ProtocolError", "admin.vm.volume.Resize", "private", "work", "0100");
        err("ProtocolError", "admin.vm.volume.Resize", "private", "work", "12345678901234567890");
        err("ProtocolError", "admin.vm.volume.Resize", "private", "work", "");
        err("ProtocolError", "admin.vm.volume.Set.revisions_to_keep", "private", "work", "-2");
        err("QubesValueError", "admin.vm.volume.Set.rw", "private", "work", "perhaps");
        err("QubesVolumeCopyTokenNotFoundError", "admin.vm.volume.CloneTo", "private", "alone", "nosuchtoken");
        assertXmlUnchanged(before);
        ok("admin.vm.volume.Set.revisions_to_keep", "private", "work", "2");
        assertTrue(ok("admin.vm.volume.Info", "private", "work").contains("revisions_to_keep=2\n"));
        ok("admin.vm.volume.Set.rw", "root", "work", "False");
        assertTrue(ok("admin.vm.volume.Info", "root", "work").contains("rw=False\n"));
        String token = ok("admin.vm.volume.CloneFrom", "private", "work");
        assertEquals(32, token.length());
        ok("admin.vm.volume.CloneTo", "private", "alone", token);
        assertTrue(ok("admin.vm.volume.Info", "private", "alone").contains("size=4294967296\n"));
        err("QubesVolumeCopyTokenNotFoundError", "admin.vm.volume.CloneTo", "private", "alone", token); // used once
    }
}
