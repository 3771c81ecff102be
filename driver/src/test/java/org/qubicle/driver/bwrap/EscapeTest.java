package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.Exec;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.RunningQube;
import org.qubicle.driver.rootfs.BusyboxRootfs;
import org.qubicle.driver.testing.LeakCheck;

/**
 * Escape probes run in qube A, as its root and as its user, while qube B (the victim)
 * runs a marker process that holds its private file open and listens on a socket. Every
 * probe also runs where a breach is visible (the control), which must report it.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EscapeTest {
    private final String token = UUID.randomUUID().toString().substring(0, 8);
    private final BwrapDriver driver = new BwrapDriver();
    private Path dir;
    private Path probeDir;
    private RunningQube a;
    private RunningQube b;
    private QubeProcess victim;
    private long victimPid;
    private String hostname;
    private LeakCheck.Snapshot before;

    @BeforeAll
    void setUp() throws Exception {
        before = LeakCheck.snapshot();
        hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        dir = Files.createTempDirectory("qubicle-escape-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        probeDir = dir.resolve("probe");
        Files.createDirectories(probeDir);
        Path src = Path.of(EscapeTest.class.getResource("/probe/qprobe.c").toURI());
        Path bin = probeDir.resolve("qprobe");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.toString(), src.toString())
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc: " + gccOut);
        Path suid = probeDir.resolve("qprobe-suid");
        Files.copy(bin, suid, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(suid, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(suid, "unix:mode", 04755);

        Path rootfs = dir.resolve("rootfs");
        BusyboxRootfs.build(rootfs);
        Files.copy(bin, rootfs.resolve("usr/bin/qprobe"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(dir.resolve("hostfile-" + token), "host secret\n");

        a = driver.start(spec("escape-a", 7100, rootfs));
        b = driver.start(spec("escape-b", 7101, rootfs));
        victim = driver.exec(b, ExecSpec.of("root", "sh", "-c", "echo s > /tmp/btmp-" + token
                + "; echo s > /rw/bpriv-" + token + "; exec 3</rw/bpriv-" + token + "; exec qprobe listen bsock-" + token));
        byte[] line = new byte[10];
        assertEquals(10, victim.stdout().readNBytes(line, 0, 10), "victim did not start");
        victimPid = findVictim();
        Exec.sh(driver, a, "root", "cp /usr/bin/qprobe /tmp/qprobe-suid && chmod 4755 /tmp/qprobe-suid");
    }

    private QubeSpec spec(String name, int index, Path rootfs) throws IOException {
        Path priv = dir.resolve("private").resolve(name);
        Files.createDirectories(priv.resolve("home/user"));
        TestRootfs.giveTo(priv, QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index);
        return QubeSpec.of(name, index, rootfs, priv, dir.resolve("var/run/qubes").resolve(name));
    }

    private long findVictim() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmd.startsWith("qprobe listen bsock-" + token)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                } catch (IOException | NumberFormatException e) {
                    // not a process, or gone
                }
            }
        }
        throw new AssertionError("victim process not found");
    }

    @AfterAll
    void tearDown() throws IOException {
        try {
            if (victim != null) {
                assertTrue(victim.isAlive(), "the victim died during the probes");
                victim.close();
            }
            if (a != null) {
                driver.kill(a);
            }
            if (b != null) {
                driver.kill(b);
            }
            assertEquals(hostname, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(),
                    "host hostname changed");
            LeakCheck.assertNoLeaks(before, dir.toString(), "index=7100", "index=7101", "/escape-");
        } finally {
            for (RunningQube q : new RunningQube[] {a, b}) {
                if (q != null) {
                    new BwrapDriver().reattach(q.spec()).ifPresent(driver::kill);
                }
            }
            Host.deleteTree(dir);
        }
    }

    private Map<String, String> env(boolean host) {
        Map<String, String> e = new HashMap<>();
        e.put("TOKEN", token);
        e.put("BPID", Long.toString(victimPid));
        e.put("BNAME", "escape-b");
        e.put("SEARCH", host ? dir.toString() : "/");
        e.put("ROOTFS", host ? dir.resolve("rootfs").toString() : "/");
        e.put("SUID", host ? probeDir.resolve("qprobe-suid").toString() : "/tmp/qprobe-suid");
        return e;
    }

    @TestFactory
    List<DynamicTest> probes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (EscapeProbes.Probe p : EscapeProbes.all()) {
            if (!p.userOnly()) {
                tests.add(DynamicTest.dynamicTest("root: " + p.name(), () -> inQube(p, "root")));
            }
            tests.add(DynamicTest.dynamicTest("user: " + p.name(), () -> inQube(p, "user")));
            tests.add(DynamicTest.dynamicTest("control: " + p.name(), () -> control(p)));
        }
        return tests;
    }

    private void inQube(EscapeProbes.Probe p, String user) throws Exception {
        var r = Exec.run(driver, a,
                new ExecSpec(user, List.of("sh", "-c", p.script()), env(false)), new byte[0]);
        String out = r.outText() + r.errText();
        assertEquals(0, r.exit(), p.name() + " as " + user + " broke out: " + out);
        if (p.eperm()) {
            assertTrue(out.contains("errno 1 ("), p.name() + " as " + user + " was not refused with EPERM: " + out);
        }
    }

    private void control(EscapeProbes.Probe p) throws Exception {
        if (p.control() == EscapeProbes.Control.PEER) {
            var r = Exec.run(driver, b,
                    new ExecSpec("root", List.of("sh", "-c", p.script()), env(false)), new byte[0]);
            assertTrue(r.exit() != 0, "control of '" + p.name() + "' in the victim qube saw nothing: " + r.outText());
            return;
        }
        Path fakeSocket = Path.of("/run/qubesd.sock");
        boolean madeSocket = false;
        if (p.name().equals("host admin socket") && !Files.exists(fakeSocket)
                && !Files.exists(Path.of("/var/run/qubesd.sock"))) {
            Files.createFile(fakeSocket);
            madeSocket = true;
        }
        try {
            List<String> cmd = new ArrayList<>();
            if (p.userOnly()) {
                cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            }
            cmd.addAll(List.of("busybox", "sh", "-c", p.script()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env(true));
            pb.environment().put("PATH", probeDir + ":/usr/sbin:/usr/bin:/sbin:/bin");
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = proc.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) ? proc.exitValue() : -1;
            Assumptions.assumeFalse(code == 0 && out.contains("errno 38"),
                    "this kernel lacks the call, so no control can breach it: " + out.strip());
            Assumptions.assumeFalse(code == 0 && p.name().equals("syscall rlimit"),
                    "the host itself lacks CAP_SYS_RESOURCE: " + out.strip());
            Assumptions.assumeFalse(code == 0 && p.name().equals("write /proc/sysrq-trigger")
                    && !Files.isWritable(Path.of("/proc/sysrq-trigger")),
                    "/proc/sysrq-trigger is read-only on this host too (a container)");
            assertTrue(code != 0, "control of '" + p.name() + "' on the host saw no breach, so the probe cannot "
                    + "detect one: " + out);
        } finally {
            if (madeSocket) {
                Files.deleteIfExists(fakeSocket);
            }
        }
    }
}
