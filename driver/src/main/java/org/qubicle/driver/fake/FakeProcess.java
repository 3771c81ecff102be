package org.qubicle.driver.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.qubicle.driver.QubeProcess;

/** A {@link FakeDriver} process: an ordinary host process. */
final class FakeProcess implements QubeProcess {
    private final Process p;

    FakeProcess(Process p) {
        this.p = p;
    }

    @Override
    public OutputStream stdin() {
        return p.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return p.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return p.getErrorStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        return p.waitFor();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isAlive() {
        return p.isAlive();
    }

    @Override
    public void kill() {
        p.destroyForcibly();
    }

    @Override
    public void close() {
        p.destroyForcibly();
        for (java.io.Closeable c : new java.io.Closeable[] {p.getOutputStream(), p.getInputStream(),
                p.getErrorStream()}) {
            try {
                c.close();
            } catch (IOException e) {
                // pipe to a dead process
            }
        }
    }
}
