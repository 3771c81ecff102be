package org.qubicle.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code --version}: {@code <tool> (Qubicle) <version>}. */
public final class Version implements IVersionProvider {
    static final String VERSION = "0.1.0";

    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        return new String[] {spec.root().name() + " (Qubicle command-line tools) " + VERSION,
            "License: GPL-2.0-or-later"};
    }
}
