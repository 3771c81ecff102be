package org.qubicle.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code qubes-prefs}: show or change the global properties (docs/cli.md). */
@Command(name = "qubes-prefs", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List, get, set or reset global properties.")
public final class QubesPrefs extends QubesTool {
    @Mixin
    PrefsOptions prefs = new PrefsOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROPERTY",
            description = "Name of the property to show or change.")
    String property;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE",
            description = "New value of the property.")
    String value;

    public static void main(String[] args) {
        ToolRunner.main(new QubesPrefs(), args);
    }

    @Override
    int run() {
        prefs.property = property;
        prefs.value = value;
        return PrefsLogic.process(this, null, prefs);
    }
}
