package org.qubicle.cli;

/**
 * qvm-ls's argument parser for the forms people and scripts use every day ({@code qvm-ls},
 * {@code --raw-list}, {@code -O name,state}, {@code --running}, qube names...), without
 * picocli. Building picocli's model from QvmLs's annotations costs about a third of the
 * tool's start-up, which matters for a command that completion scripts run at each TAB.
 *
 * <p>It accepts only what it parses exactly as picocli does for QvmLs: the flags below,
 * the single-value options as {@code --opt VALUE} or {@code --opt=VALUE} (short ones only
 * as {@code -o VALUE}), and names that do not start with {@code -}. Anything else (help,
 * version, the multi-value filters, option clusters, {@code --}, {@code @files}, a value
 * that looks like an option, an unknown option) makes {@link #parse} return false, and the
 * caller hands the whole command line to picocli, which gives the usual help or error.
 */
final class QvmLsArgs {
    private QvmLsArgs() {
    }

    /** Sets {@code tool}'s fields from {@code args}; false when picocli must parse them. */
    static boolean parse(QvmLs tool, String[] args) {
        tool.sort = "NAME";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.isEmpty() || arg.charAt(0) == '@') {
                return false;
            }
            if (arg.charAt(0) != '-') {
                tool.names.add(arg);
                continue;
            }
            if (flag(tool, arg)) {
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0 && arg.startsWith("--")) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return false;
            }
            if (value.isEmpty() || value.charAt(0) == '-' || value.charAt(0) == '@'
                    || !option(tool, name, value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean flag(QvmLs tool, String arg) {
        switch (arg) {
            case "-d", "--disk" -> tool.disk = true;
            case "-n", "--network" -> tool.network = true;
            case "-k", "--kernel" -> tool.kernel = true;
            case "-t", "--tree" -> tool.tree = true;
            case "--raw-data" -> tool.rawData = true;
            case "--raw-list" -> tool.rawList = true;
            case "--json" -> tool.json = true;
            case "--running" -> tool.running = true;
            case "--paused" -> tool.paused = true;
            case "--halted" -> tool.halted = true;
            case "--pending-update" -> tool.pendingUpdate = true;
            case "--reverse" -> tool.reverse = true;
            case "--ignore-case" -> tool.ignoreCase = true;
            case "--spinner", "--no-spinner" -> tool.spinner = true;
            case "--all" -> tool.all = true;
            case "-v", "--verbose" -> tool.common.verbose++;
            case "-q", "--quiet" -> tool.common.quiet++;
            case "--force-root" -> tool.common.forceRoot = true;
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean option(QvmLs tool, String name, String value) {
        switch (name) {
            case "-o", "--format" -> tool.format = value;
            case "-O", "--fields" -> tool.fields = value;
            case "--sort" -> tool.sort = value;
            case "--internal" -> tool.internal = value;
            case "--servicevm" -> tool.servicevm = value;
            case "--exclude" -> tool.exclude.add(value);
            default -> {
                return false;
            }
        }
        return true;
    }
}
