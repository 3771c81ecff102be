package org.qubicle.storage.fake;

import java.util.Map;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.PoolContract;
import org.qubicle.storage.Volume;

class FakePoolContractTest extends PoolContract {
    @Override
    protected Pool newPool() {
        return new FakePoolDriver().open(new PoolConfig(POOL, FakePoolDriver.NAME, Map.of()));
    }

    @Override
    protected Pool reopen(Pool old) {
        // The fake's state is its memory; a "crash" of the daemon keeps the same pool.
        return old;
    }

    @Override
    protected void writeRunning(Volume v, long offset, byte[] data) {
        ((FakePool) pool).writeRunning(v.config().vid(), offset, data);
    }

    @Override
    protected byte[] readRunning(Volume v, long offset, int length) {
        return ((FakePool) pool).readRunning(v.config().vid(), offset, length);
    }
}
