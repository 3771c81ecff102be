package org.qubicle.cli;

import picocli.CommandLine.Command;

/** {@code qvm-pause}: freeze qubes. */
@Command(name = "qvm-pause", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Pause a domain.")
public final class QvmPause extends PowerTool {
    public static void main(String[] args) {
        ToolRunner.main(new QvmPause(), args);
    }

    @Override
    int run() {
        return each(domains(), "admin.vm.Pause", null);
    }
}
