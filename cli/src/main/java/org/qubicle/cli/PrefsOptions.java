package org.qubicle.cli;

import picocli.CommandLine.Option;

/** Options qvm-prefs and qubes-prefs share. */
final class PrefsOptions {
    @Option(names = "--help-properties",
            description = "List all available properties with short descriptions and exit.")
    boolean helpProperties;

    @Option(names = "--hide-default",
            description = "Do not show properties that are set to the default value.")
    boolean hideDefault;

    @Option(names = {"-g", "--get"}, description = "Ignored; for compatibility with older scripts.")
    boolean get;

    @Option(names = {"-s", "--set"}, description = "Ignored; for compatibility with older scripts.")
    boolean set;

    @Option(names = {"-D", "--default"}, description = "Reset the property to its default value.")
    boolean delete;

    String property;
    String value;
}
