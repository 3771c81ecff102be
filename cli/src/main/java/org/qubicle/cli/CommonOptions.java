package org.qubicle.cli;

import picocli.CommandLine.Option;

/**
 * Options every Qubes tool takes: verbosity and the hidden {@code --force-root}.
 * {@code -v} and {@code -q} count their repeats (the runner allows repeated options).
 */
public final class CommonOptions {
    int verbose;
    int quiet;

    @Option(names = {"-v", "--verbose"},
            description = "Increase verbosity; also shows the stack trace of an unexpected error.")
    void verbose(boolean on) {
        verbose++;
    }

    @Option(names = {"-q", "--quiet"}, description = "Decrease verbosity.")
    void quiet(boolean on) {
        quiet++;
    }

    @Option(names = "--force-root", hidden = true,
            description = "Ignored; kept for compatibility with Qubes.")
    boolean forceRoot;

    /** Qubes' level: 1 by default, +1 per -v, -1 per -q. */
    int level() {
        return 1 + verbose - quiet;
    }
}
