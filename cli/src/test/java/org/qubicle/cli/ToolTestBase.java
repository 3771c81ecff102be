package org.qubicle.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.api.client.AdminClient;

/** Runs tools in-process against a {@link FakeQubesd}. */
abstract class ToolTestBase {
    @TempDir
    Path root;
    FakeQubesd daemon;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void startDaemon() throws Exception {
        daemon = new FakeQubesd(root).standard();
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.close();
    }

    Result run(QubesTool tool, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        tool.with(new Qubes(new AdminClient(root.resolve("var/run/qubesd.sock"))));
        int code = ToolRunner.execute(tool, args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
