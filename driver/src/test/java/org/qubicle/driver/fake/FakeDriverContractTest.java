package org.qubicle.driver.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.EnumSet;
import org.qubicle.driver.Capability;
import org.qubicle.driver.DriverContractTest;
import org.qubicle.driver.IsolationDriver;

/** The contract against the fake: needs no root, runs in every build. */
class FakeDriverContractTest extends DriverContractTest {
    private final FakeDriver.FakeHost host = new FakeDriver.FakeHost();

    @Override
    protected IsolationDriver newDriver() {
        return new FakeDriver(host, EnumSet.allOf(Capability.class));
    }

    @Override
    protected IsolationDriver restartedDriver() {
        return newDriver();
    }

    @Override
    protected Path rootfs() {
        return Path.of("/");
    }

    @Override
    protected void beforeQubes() {
    }

    @Override
    protected void assertNothingLeft() {
        assertEquals(0, host.liveProcesses());
        assertEquals(0, host.running().size(), "qubes still running: " + host.running());
    }
}
