package org.qubicle.cli;

import picocli.CommandLine.Option;

/** Options every Qubes tool takes: verbosity and the hidden {@code --force-root}. */
public final class CommonOptions {
    @Option(names = {"-v", "--verbose"},
            description = "Increase verbosity; also shows the stack trace of an unexpected error.")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-q", "--quiet"}, description = "Decrease verbosity.")
    boolean[] quiet = new boolean[0];

    @Option(names = "--force-root", hidden = true,
            description = "Ignored; kept for compatibility with Qubes.")
    boolean forceRoot;

    /** Qubes' level: 1 by default, +1 per -v, -1 per -q. */
    int level() {
        return 1 + verbose.length - quiet.length;
    }
}
