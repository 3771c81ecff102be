package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qubicle.driver.ExecSpec;

/** The forker's call scripts as text (no root): quoting survives a real shell. */
class ForkerScriptsTest {
    private static final List<String> NASTY = List.of("it's", "\"q\"", "$HOME", "`id`", "a\nb", "", "-x", "\\", "'");

    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void quotingKeepsEveryByte() throws Exception {
        for (String a : NASTY) {
            assertEquals(a, sh("printf %s " + ForkerScripts.quote(a)));
        }
    }

    @Test
    void scriptsParseAndCarryArgumentsAndEnvironmentQuoted() throws Exception {
        for (String user : List.of("root", "user")) {
            ExecSpec e = new ExecSpec(user, List.of("printf", "%s|", "x", NASTY.get(0), NASTY.get(4)),
                    Map.of("V", "it's $x"));
            String script = ForkerScripts.callScript(e);
            sh("sh -n -c " + ForkerScripts.quote(script)); // syntax only
            assertTrue(script.contains(ForkerScripts.quote("V=it's $x")), script);
            assertTrue(script.contains(ForkerScripts.quote("a\nb")), script);
            assertTrue(script.contains(" env -i "), script);
            assertEquals(user.equals("user"), script.contains(" 'su' '-p' '-s' '/bin/sh' 'user' "), script);
        }
    }
}
