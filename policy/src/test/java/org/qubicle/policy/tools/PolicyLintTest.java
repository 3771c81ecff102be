package org.qubicle.policy.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLintTest {
    @TempDir
    Path dir;

    private String out;

    private int lint(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = PolicyLint.run(new PrintStream(buf, true, StandardCharsets.UTF_8), args);
        out = buf.toString(StandardCharsets.UTF_8);
        return rc;
    }

    @Test
    void cleanFilesExitZero() throws IOException {
        Path ok = dir.resolve("30-user.policy");
        Files.writeString(ok, "# fine\nqubes.Filecopy * work @default ask\n!include include/x\n");
        assertEquals(0, lint(ok.toString()));
        assertEquals("", out);
    }

    @Test
    void everyErrorIsReportedWithFileAndLine() throws IOException {
        Path bad = dir.resolve("50-main.policy");
        Files.writeString(bad, "qubes.Filecopy * work @default allow\nok * @anyvm @anyvm deny\nx * @anyvm @anyvm allow notify=1\n");
        Path missing = dir.resolve("nope.policy");
        assertEquals(1, lint("-s", bad.toString(), missing.toString()));
        String[] lines = out.split("\n");
        assertEquals(bad + ":1: error: allow action for @default rule must specify target= option: "
                + "qubes.Filecopy * work @default allow", lines[0]);
        assertEquals(bad + ":3: error: 'notify' is '1', but can be only 'yes' or 'no': x * @anyvm @anyvm allow notify=1", lines[1]);
        assertEquals(true, lines[2].startsWith(missing + ":0: error: cannot read"));
    }

    @Test
    void badFileNamesAndLegacyFiles() throws IOException {
        Path upper = dir.resolve("30-User.policy");
        Files.writeString(upper, "s * @anyvm @anyvm deny\n");
        assertEquals(1, lint(upper.toString()));
        Path legacy = dir.resolve("admin-local-rwx");
        Files.writeString(legacy, "mgmt @tag:managed allow,target=dom0\n$anyvm $anyvm deny\n");
        assertEquals(0, lint("-i", legacy.toString()));
        Files.writeString(legacy, "mgmt\n");
        assertEquals(1, lint("-i", legacy.toString()));
        assertEquals(legacy + ":1: error: wrong number of fields\n", out);
    }
}
