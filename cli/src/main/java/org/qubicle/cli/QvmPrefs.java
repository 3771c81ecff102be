package org.qubicle.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code qvm-prefs}: show or change a qube's properties (docs/cli.md). */
@Command(name = "qvm-prefs", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List, get, set or reset the properties of a qube.")
public final class QvmPrefs extends QubesTool {
    @Mixin
    PrefsOptions prefs = new PrefsOptions();

    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROPERTY",
            description = "Name of the property to show or change.")
    String property;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
            description = "New value of the property.")
    String value;

    public static void main(String[] args) {
        ToolRunner.main(new QvmPrefs(), args);
    }

    @Override
    int run() {
        qubes().require(vm);
        prefs.property = property;
        prefs.value = value;
        return PrefsLogic.process(this, vm, prefs);
    }
}
