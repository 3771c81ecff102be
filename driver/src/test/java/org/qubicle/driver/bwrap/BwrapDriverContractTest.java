package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.driver.DriverContractTest;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.QubeSpec;
import org.qubicle.driver.testing.LeakCheck;

/** The contract against real bubblewrap qubes (root, integration). */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class BwrapDriverContractTest extends DriverContractTest {
    private LeakCheck.Snapshot before;

    @Override
    protected IsolationDriver newDriver() {
        return new BwrapDriver();
    }

    @Override
    protected IsolationDriver restartedDriver() {
        return new BwrapDriver();
    }

    @Override
    protected Path rootfs() throws IOException {
        return TestRootfs.shared();
    }

    @Override
    protected void privateOwner(Path priv, int index) throws IOException {
        TestRootfs.giveTo(priv, QubeSpec.UID_BASE + QubeSpec.UID_RANGE * index);
    }

    @Override
    protected void beforeQubes() {
        before = LeakCheck.snapshot();
    }

    @Override
    protected void assertNothingLeft() {
        // Only this test's things: other suites may run qubes on this host meanwhile.
        LeakCheck.assertNoLeaks(before, root.toString(), "index=70", "/contract-");
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (p.toString().contains("/var/run/qubes/") && Files.isRegularFile(p)) {
                    throw new AssertionError("runtime file left: " + p);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
