package org.qubicle.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** Test helper: runs a process in a qube to completion and collects its output. */
public final class Exec {
    private Exec() {
    }

    public record Result(int exit, byte[] out, byte[] err) {
        public String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }

        public String errText() {
            return new String(err, StandardCharsets.UTF_8);
        }
    }

    public static Result run(IsolationDriver d, RunningQube q, ExecSpec e, byte[] stdin) throws Exception {
        try (QubeProcess p = d.exec(q, e); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var out = pool.submit(() -> p.stdout().readAllBytes());
            var err = pool.submit(() -> p.stderr().readAllBytes());
            try (OutputStream in = p.stdin()) {
                in.write(stdin);
            } catch (IOException ignored) {
                // the process did not read its input
            }
            int code = p.waitFor();
            return new Result(code, out.get(), err.get());
        }
    }

    public static Result sh(IsolationDriver d, RunningQube q, String user, String script) throws Exception {
        return run(d, q, ExecSpec.of(user, "sh", "-c", script), new byte[0]);
    }
}
