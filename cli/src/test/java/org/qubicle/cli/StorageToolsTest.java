package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StorageToolsTest extends ToolTestBase {
    @Test
    void poolListInfoDrivers() {
        daemon.on("dom0", "admin.pool.List", "varlibqubes\nlinux-kernel\n");
        daemon.on("dom0", "admin.pool.Info+varlibqubes", "dir_path=/var/lib/qubes\ndriver=file-reflink\nname=varlibqubes\nrevisions_to_keep=1\n");
        daemon.on("dom0", "admin.pool.Info+linux-kernel", "dir_path=/var/lib/qubes/vm-kernels\ndriver=linux-kernel\nname=linux-kernel\n");
        daemon.on("dom0", "admin.pool.ListDrivers", "file-reflink dir_path setup_check revisions_to_keep\nlinux-kernel dir_path\n");
        assertEquals("NAME          DRIVER\nvarlibqubes   file-reflink\nlinux-kernel  linux-kernel\n",
                run(new QvmPool()).out());
        assertEquals("name               varlibqubes\ndir_path           /var/lib/qubes\n"
                + "driver             file-reflink\nrevisions_to_keep  1\n",
                run(new QvmPool(), "info", "varlibqubes").out());
        assertEquals("DRIVER        OPTIONS\nfile-reflink  dir_path, setup_check, revisions_to_keep\n"
                + "linux-kernel  dir_path\n", run(new QvmPool(), "drivers").out());
        assertEquals(2, run(new QvmPool(), "info", "nope").code());
    }

    @Test
    void poolAddRemoveSet() {
        daemon.on("dom0", "admin.pool.Add+file", "");
        daemon.on("dom0", "admin.pool.List", "p1\n");
        daemon.on("dom0", "admin.pool.Remove+p1", "!QubesPoolInUseError:pool in use");
        daemon.on("dom0", "admin.pool.Set.revisions_to_keep+p1", "");
        assertEquals(0, run(new QvmPool(), "add", "p2", "file", "-o", "dir_path=/x").code());
        assertTrue(daemon.calls().contains("dom0 admin.pool.Add+file|name=p2\ndir_path=/x\n"));
        Result r = run(new QvmPool(), "rm", "p1", "p9");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Failed to remove pool p1: pool in use"), r.err());
        assertTrue(r.err().contains("No such pool p9"), r.err());
        assertEquals(0, run(new QvmPool(), "set", "p1", "-o", "revisions_to_keep=3").code());
        assertEquals(1, run(new QvmPool(), "set", "p1", "-o", "color=red").code());
    }

    @Test
    void firewallListAddDelReset() {
        daemon.on("work", "admin.vm.firewall.Get",
                "action=accept dst4=10.0.0.0/8 proto=tcp dstports=443-443 comment=web\naction=drop\n");
        daemon.on("work", "admin.vm.firewall.Set", "");
        Result r = run(new QvmFirewall(), "work");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                NO  ACTION  HOST        PROTOCOL  PORT(S)  SPECIAL TARGET  ICMP TYPE  EXPIRE  COMMENT
                0   accept  10.0.0.0/8  tcp       443      -               -          -       web
                1   drop    -           -         -        -               -          -       -
                """, r.out());
        assertEquals("action=accept proto=tcp dst4=10.0.0.0/8 dstports=443-443 comment=web\naction=drop\n",
                run(new QvmFirewall(), "work", "--raw").out());
        assertEquals(0, run(new QvmFirewall(), "work", "add", "--before", "1", "accept", "example.com",
                "udp", "53").code());
        assertTrue(daemon.calls().contains("work admin.vm.firewall.Set+|action=accept proto=tcp "
                + "dst4=10.0.0.0/8 dstports=443-443 comment=web\naction=accept proto=udp dsthost=example.com "
                + "dstports=53-53\naction=drop\n"), daemon.calls().toString());
        assertEquals(0, run(new QvmFirewall(), "work", "del", "--rule-no", "1").code());
        assertTrue(daemon.calls().contains("work admin.vm.firewall.Set+|action=accept proto=tcp "
                + "dst4=10.0.0.0/8 dstports=443-443 comment=web\n"));
        assertEquals(0, run(new QvmFirewall(), "work", "reset").code());
        assertTrue(daemon.calls().contains("work admin.vm.firewall.Set+|action=accept\n"));
        assertEquals(2, run(new QvmFirewall(), "work", "add", "action=allow").code());
        assertEquals(2, run(new QvmFirewall(), "work", "add", "accept", "1.2.3.4/33").code());
        assertEquals(2, run(new QvmFirewall(), "work", "add", "action=accept", "dstports=80").code());
        daemon.on("work", "admin.vm.firewall.Set", "!QubesException:refused");
        r = run(new QvmFirewall(), "work", "reset");
        assertEquals(1, r.code());
        assertEquals("Error: refused\n", r.err());
    }

    @Test
    void firewallRuleSyntax() {
        FirewallRule r = QvmFirewall.parseRule(List.of("drop", "fd00::/8", "icmp", "8", "expire=+60"), 1000);
        assertEquals("action=drop proto=icmp dst6=fd00::/8 icmptype=8 expire=1060", r.rule());
        assertEquals("+60s", r.prettyExpire(1000));
        assertEquals("action=accept specialtarget=dns", QvmFirewall.parseRule(
                List.of("action=accept", "specialtarget=dns"), 0).rule());
        assertEquals("action=accept dst4=1.2.3.4/32", FirewallRule.parse("action=accept dsthost=1.2.3.4").rule());
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.parse("proto=tcp"));
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.parse("action=accept dsthost=Bad_Host"));
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.parse("action=accept proto=tcp dstports=9-1"));
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.parse("action=accept color=red"));
        assertThrows(UsageError.class, () -> QvmFirewall.parseRule(List.of("accept", "dsthost="), 0));
    }

    @Test
    void volumeInfoResizeRevert() {
        daemon.on("work", "admin.vm.volume.List", "private\nroot\n");
        daemon.on("work", "admin.vm.volume.Info+private", "pool=varlibqubes\nvid=appvms/work/private\n"
                + "size=2147483648\nusage=1024\nrw=True\nsource=\npath=\nsave_on_stop=True\n"
                + "snap_on_start=False\nrevisions_to_keep=1\nephemeral=False\nis_outdated=False\n");
        daemon.on("work", "admin.vm.volume.ListSnapshots+private", "1\n2\n");
        daemon.on("work", "admin.vm.volume.Resize+private", "");
        daemon.on("work", "admin.vm.volume.Revert+private", "");
        Result r = run(new QvmVolume(), "info", "work:private");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                pool               varlibqubes
                vid                appvms/work/private
                rw                 True
                source            \s
                save_on_stop       True
                snap_on_start      False
                size               2147483648
                usage              1024
                revisions_to_keep  1
                ephemeral          False
                is_outdated        False
                List of available revisions (for revert):
                  1
                  2
                """, r.out());
        assertEquals("2147483648\n", run(new QvmVolume(), "info", "work:private", "size").out());
        r = run(new QvmVolume(), "resize", "work:private", "1GiB");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("Error: Refusing to shrink volume work:private"), r.err());
        assertEquals(0, run(new QvmVolume(), "resize", "work:private", "4GiB").code());
        assertTrue(daemon.calls().contains("work admin.vm.volume.Resize+private|4294967296"));
        assertEquals(0, run(new QvmVolume(), "revert", "work:private").code());
        assertTrue(daemon.calls().contains("work admin.vm.volume.Revert+private|2"));
        r = run(new QvmVolume(), "info", "work:nope");
        assertEquals(1, r.code());
        assertEquals("qvm-volume: error: vm 'work' has no volume 'nope'\n", r.err());
        assertEquals(2, run(new QvmVolume(), "info", "workprivate").code());
        assertEquals(1, run(new QvmVolume(), "import", "work:private", "/dev/null").code());
    }

    @Test
    void sizes() {
        assertEquals(1000, VolumeRef.parseSize("1K"));
        assertEquals(1024, VolumeRef.parseSize("1KiB"));
        assertEquals(5L << 30, VolumeRef.parseSize("5 GiB"));
        assertEquals(12345, VolumeRef.parseSize("12345"));
        assertThrows(org.qubicle.model.exc.QubesException.class, () -> VolumeRef.parseSize("12X"));
    }
}
