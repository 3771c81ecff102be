package org.qubicle.cli;

import org.qubicle.model.exc.QubesVMNotStartedError;
import picocli.CommandLine.Command;

/** {@code qvm-kill}: kill qubes at once; a halted one is not an error. */
@Command(name = "qvm-kill", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Kill the specified qube.")
public final class QvmKill extends PowerTool {
    public static void main(String[] args) {
        ToolRunner.main(new QvmKill(), args);
    }

    @Override
    int run() {
        return each(domains(), "admin.vm.Kill", QubesVMNotStartedError.class);
    }
}
