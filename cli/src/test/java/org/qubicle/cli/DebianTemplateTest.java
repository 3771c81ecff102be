package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.testing.LeakCheck;

/**
 * {@code qvm-template install debian-12} for real: mmdebstrap from the host's apt sources
 * into a scratch root (about 2.5 minutes here, most of it downloading), an AppVM on it that
 * runs a program with {@code qvm-run -p}, then remove and a second install from the cached
 * image. Slow and needs Debian's mirror: run with {@code -Dqubicle.integration=true
 * -Dqubicle.slow=true}.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
@EnabledIfSystemProperty(named = "qubicle.slow", matches = "true")
class DebianTemplateTest {
    @Test
    void installStartRunRemoveAndReinstallFromTheCache() throws Exception {
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        String scope;
        try (RealDaemon d = new RealDaemon("qubicle-debian")) {
            scope = d.root.toString();
            RealDaemon.Result r = d.ok("qvm-template", "install", "debian-12");
            assertTrue(r.err().contains("[1/3] Building Debian 12"), r.err());
            assertTrue(r.err().contains("[3/3] Registering the template"), r.err());
            assertTrue(Files.isRegularFile(DebianTemplate.cacheFile(d.root)));
            assertTrue(d.ok("qvm-template", "list").out().contains("Installed Templates\ndebian-12\n"));
            assertEquals(1, d.run(null, "qvm-template", "install", "debian-12").code(), "already installed");

            d.ok("qvm-create", "-t", "debian-12", "-l", "blue", "--prop", "netvm=", "work");
            String os = d.ok("qvm-run", "-p", "work", ". /etc/os-release; echo $ID $VERSION_ID").out();
            assertEquals("debian 12\n", os);
            assertEquals("user 1000 /bin/bash\n",
                    d.ok("qvm-run", "-p", "work", "echo $(id -un) $(id -u) $(getent passwd user | cut -d: -f7)").out());
            assertEquals("0\n", d.ok("qvm-run", "-p", "-u", "root", "work", "id -u").out());
            d.ok("qvm-run", "-p", "work", "test -d /etc/qubes-rpc && test -s /etc/ssl/certs/ca-certificates.crt"
                    + " && busybox true && bash -c true");
            assertEquals("hello\n", d.run("hello\n".getBytes(), "qvm-run", "-p", "work", "bash -c 'cat'").out());
            d.ok("qvm-shutdown", "--wait", "work");
            d.ok("qvm-remove", "-f", "work");

            d.ok("qvm-template", "remove", "debian-12");
            assertFalse(d.ok("qvm-template", "list").out().contains("Installed Templates\ndebian-12"));
            RealDaemon.Result again = d.ok("qvm-template", "install", "debian-12");
            assertTrue(again.err().contains("[1/3] Using the cached Debian 12 image"), again.err());
            d.ok("qvm-create", "-t", "debian-12", "-l", "blue", "--prop", "netvm=", "work2");
            assertEquals("debian\n", d.ok("qvm-run", "-p", "work2", ". /etc/os-release; echo $ID").out());
        }
        LeakCheck.assertNoLeaks(before, scope);
    }
}
