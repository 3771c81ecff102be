package org.qubicle.daemon.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.driver.QubeSpec;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.net.GatewayMode;

/** The daemon's own network settings and resolv.conf writing (no root needed). */
class NetSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void gatewayFeature() {
        assertEquals(GatewayMode.ROUTED, NetSettings.gateway(""));
        assertEquals(GatewayMode.ROUTED, NetSettings.gateway("routed"));
        assertEquals(new GatewayMode.Tor(9040, 5300), NetSettings.gateway("tor"));
        assertEquals(new GatewayMode.Tor(9050, 53), NetSettings.gateway("tor:9050:53"));
        assertThrows(QubesValueError.class, () -> NetSettings.gateway("tor:0:53"));
        assertThrows(QubesValueError.class, () -> NetSettings.gateway("bridge"));
    }

    @Test
    void addresses() {
        assertEquals("10.137.0.5", NetSettings.address("10.137.0.5").getHostAddress());
        assertThrows(QubesValueError.class, () -> NetSettings.address("example.org"));
        assertThrows(QubesValueError.class, () -> NetSettings.address("10.137.0.300"));
    }

    @Test
    void hostUplinkIsOffUnlessTheConfigAllowsIt() throws Exception {
        assertFalse(NetConfigFile.read(tmp, tmp).hostUplinkAllowed());
        Files.writeString(tmp.resolve(NetConfigFile.NAME), "# mine\nhost-uplink = maybe\n");
        assertFalse(NetConfigFile.read(tmp, tmp).hostUplinkAllowed());
        Files.writeString(tmp.resolve(NetConfigFile.NAME), "host-uplink = allowed\n");
        assertTrue(NetConfigFile.read(tmp, tmp).hostUplinkAllowed());
    }

    @Test
    void resolvConfReplacesASymlinkWithoutFollowingIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
        Path outside = Files.writeString(tmp.resolve("outside"), "host file\n");
        Files.createSymbolicLink(root.resolve("etc/resolv.conf"), outside);
        QubeSpec spec = QubeSpec.of("work", 1, root, tmp.resolve("private"), tmp.resolve("run"));
        ResolvConf.install(spec, List.of("10.139.1.1", "10.139.1.2"));
        assertEquals("host file\n", Files.readString(outside));
        String text = Files.readString(root.resolve("etc/resolv.conf"));
        assertTrue(text.contains("nameserver 10.139.1.1\nnameserver 10.139.1.2\n"), text);
        assertFalse(Files.isSymbolicLink(root.resolve("etc/resolv.conf")));
        try (var s = Files.list(root.resolve("etc"))) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    void resolvConfGoesToTheOverlayUpperDirWhenThereIsOne() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower/etc")).getParent();
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        QubeSpec spec = QubeSpec.of("work", 1, lower, tmp.resolve("private"), tmp.resolve("run")).withUpperDir(upper);
        ResolvConf.install(spec, List.of("10.139.1.1"));
        assertTrue(Files.readString(upper.resolve("etc/resolv.conf")).contains("nameserver 10.139.1.1"));
        assertFalse(Files.exists(lower.resolve("etc/resolv.conf")), "the template is left alone");
        assertEquals(Optional.of(upper), spec.upperDir());
    }
}
