package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.testing.LeakCheck;

/** A temporary Qubicle root with a busybox rootfs, and a leak check after each test. */
abstract class BwrapTestBase {
    protected final BwrapDriver driver = new BwrapDriver();
    protected Path dir;
    private LeakCheck.Snapshot before;
    private final java.util.List<String> scope = new java.util.ArrayList<>(java.util.List.of("qubicle-drv-"));

    @BeforeEach
    void makeRoot() throws IOException {
        before = LeakCheck.snapshot();
        dir = Files.createTempDirectory("qubicle-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private final java.util.List<QubeSpec> specs = new java.util.ArrayList<>();

    @AfterEach
    void checkLeaks() throws IOException {
        try {
            // A failed assertion must not leave its qube running.
            for (QubeSpec s : specs) {
                new BwrapDriver().reattach(s).ifPresent(driver::kill);
            }
            scope.add(dir.toString());
            LeakCheck.assertNoLeaks(before, scope.toArray(String[]::new));
        } finally {
            Host.deleteTree(dir);
        }
    }

    protected QubeSpec spec(String name, int index) throws IOException {
        scope.add("index=" + index);
        scope.add("/" + name + "-");
        Path priv = dir.resolve("private").resolve(name);
        Files.createDirectories(priv.resolve("home/user"));
        TestRootfs.giveTo(priv, QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index);
        QubeSpec s = QubeSpec.of(name, index, TestRootfs.shared(), priv, dir.resolve("var/run/qubes").resolve(name));
        specs.add(s);
        return s;
    }
}
