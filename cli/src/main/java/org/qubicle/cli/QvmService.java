package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesFeatureNotFoundError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-service}: manage a qube's services, the {@code service.*} features. */
@Command(name = "qvm-service", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage domain's services.")
public final class QvmService extends QubesTool {
    private static final String PREFIX = "service.";

    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SERVICE", description = "Name of the service.")
    String service;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
            description = "New value of the service (on/off, 1/0, yes/no, true/false).")
    String value;

    @Option(names = {"-D", "--unset", "--default", "--delete"},
            description = "Unset the service (the qube's default applies).")
    boolean delete;

    @Option(names = {"-l", "--list"}, description = "List services (the default action).")
    boolean list;

    @Option(names = {"-e", "--enable"}, description = "Enable the service (same as the value \"on\").")
    boolean enable;

    @Option(names = {"-d", "--disable"}, description = "Disable the service (same as the value \"off\").")
    boolean disable;

    public static void main(String[] args) {
        ToolRunner.main(new QvmService(), args);
    }

    @Override
    int run() {
        Qubes qubes = qubes();
        qubes.require(vm);
        String newValue = value;
        if (enable) {
            newValue = "1";
        }
        if (disable) {
            newValue = "0";
        }
        try {
            if (service == null) {
                if (delete) {
                    throw usage("--unset requires a feature");
                }
                List<List<String>> rows = new ArrayList<>();
                for (String f : qubes.features(vm)) {
                    if (f.startsWith(PREFIX)) {
                        rows.add(List.of(f.substring(PREFIX.length()),
                                qubes.feature(vm, f).isEmpty() ? "off" : "on"));
                    }
                }
                Table.print(out(), rows);
            } else if (delete) {
                if (newValue != null) {
                    throw usage("cannot both set and unset a value");
                }
                try {
                    qubes.removeFeature(vm, PREFIX + service);
                } catch (QubesFeatureNotFoundError e) {
                    // Absent already.
                }
            } else if (newValue != null) {
                qubes.setFeature(vm, PREFIX + service, parseBool(newValue) ? "1" : "");
            } else {
                try {
                    out().println(qubes.feature(vm, PREFIX + service).isEmpty() ? "off" : "on");
                } catch (QubesFeatureNotFoundError e) {
                    return 1;
                }
            }
        } catch (QubesException e) {
            throw runtime(e.getMessage());
        }
        return 0;
    }

    static boolean parseBool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "0", "no", "false", "off" -> false;
            case "1", "yes", "true", "on" -> true;
            default -> throw new ToolExit(1, "Invalid literal for boolean value: " + Py.repr(value));
        };
    }
}
