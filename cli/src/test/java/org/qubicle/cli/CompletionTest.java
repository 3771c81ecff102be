package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bash completion script: up to date, and it completes options and qube names. */
class CompletionTest {
    static Path script() {
        String checkout = System.getProperty("qubicle.checkout", "..");
        return Path.of(checkout, "completion", "qubicle.bash");
    }

    @Test
    void committedScriptIsCurrent() throws Exception {
        assertEquals(Completion.script(), Files.readString(script(), StandardCharsets.UTF_8),
                "regenerate with: java -cp ... org.qubicle.cli.Completion completion/qubicle.bash");
    }

    /** Sources the script in bash with a stand-in qvm-ls, completes, prints COMPREPLY. */
    static String complete(String function, String... words) throws Exception {
        StringBuilder cmd = new StringBuilder("qvm-ls() { printf 'work\\nwork2\\nsys-net\\n'; }\n")
                .append("source '").append(script()).append("' 2>/dev/null\n")
                .append("COMP_WORDS=(");
        for (String w : words) {
            cmd.append('\'').append(w).append("' ");
        }
        cmd.append(")\nCOMP_CWORD=").append(words.length - 1).append('\n')
                .append("COMP_LINE='").append(String.join(" ", words)).append("'\n")
                .append("COMP_POINT=${#COMP_LINE}\n")
                .append(function).append(" 2>/dev/null\n")
                .append("printf '%s\\n' \"${COMPREPLY[@]}\"\n");
        Process p = new ProcessBuilder("bash", "--norc", "-c", cmd.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void completesQubeNamesFromQvmLs() throws Exception {
        assertEquals("work\nwork2\n", complete("_complete_qvm-prefs", "qvm-prefs", "wo"));
        assertEquals("sys-net\n", complete("_complete_qvm-ls", "qvm-ls", "-v", "s"));
        assertEquals("work\nwork2\n", complete("_complete_qvm-create", "qvm-create", "--template", "w"));
    }

    @Test
    void completesOptionsAndRegistersEveryTool() throws Exception {
        assertEquals("--hide-default\n", complete("_complete_qvm-prefs", "qvm-prefs", "--hi"));
        assertEquals("--raw-data\n--raw-list\n", complete("_complete_qvm-ls", "qvm-ls", "--raw-"));
        String text = Files.readString(script());
        for (String tool : Completion.tools().keySet()) {
            assertTrue(text.contains("complete -F _complete_" + tool + " "), tool);
        }
    }
}
