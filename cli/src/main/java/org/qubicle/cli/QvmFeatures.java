package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesFeatureNotFoundError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-features}: manage a qube's features (docs/cli.md). */
@Command(name = "qvm-features", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage domain's features.")
public final class QvmFeatures extends QubesTool {
    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FEATURE", description = "Name of the feature.")
    String feature;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "New value of the feature.")
    String value;

    @Option(names = {"-D", "--unset", "--default", "--delete"}, description = "Unset the feature.")
    boolean delete;

    public static void main(String[] args) {
        ToolRunner.main(new QvmFeatures(), args);
    }

    @Override
    int run() {
        Qubes qubes = qubes();
        qubes.require(vm);
        try {
            if (feature == null) {
                if (delete) {
                    throw usage("--unset requires a feature");
                }
                List<List<String>> rows = new ArrayList<>();
                for (String f : qubes.features(vm)) {
                    rows.add(List.of(f, qubes.feature(vm, f)));
                }
                Table.print(out(), rows);
            } else if (delete) {
                if (value != null) {
                    throw usage("cannot both set and unset a value");
                }
                try {
                    qubes.removeFeature(vm, feature);
                } catch (QubesFeatureNotFoundError e) {
                    // Absent already: nothing to do, as in Qubes.
                }
            } else if (value == null) {
                try {
                    out().println(qubes.feature(vm, feature));
                } catch (QubesFeatureNotFoundError e) {
                    return 1;
                }
            } else {
                qubes.setFeature(vm, feature, value);
            }
        } catch (QubesFeatureNotFoundError e) {
            throw runtime(e.getMessage());
        } catch (QubesException e) {
            throw runtime(e.getMessage());
        }
        return 0;
    }
}
