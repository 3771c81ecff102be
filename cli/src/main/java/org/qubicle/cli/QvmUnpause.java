package org.qubicle.cli;

import picocli.CommandLine.Command;

/** {@code qvm-unpause}: thaw paused qubes. */
@Command(name = "qvm-unpause", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Unpause a domain.")
public final class QvmUnpause extends PowerTool {
    public static void main(String[] args) {
        ToolRunner.main(new QvmUnpause(), args);
    }

    @Override
    int run() {
        return each(domains(), "admin.vm.Unpause", null);
    }
}
