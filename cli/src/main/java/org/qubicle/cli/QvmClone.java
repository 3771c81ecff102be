package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-clone}: clone a qube with its settings and data (docs/cli.md). */
@Command(name = "qvm-clone", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Clone a domain.")
public final class QvmClone extends QubesTool {
    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube to clone.")
    String vm;

    @Parameters(index = "1", paramLabel = "NEWVM", description = "Name of the domain to create.")
    String newName;

    @Option(names = {"-C", "--class"}, paramLabel = "CLS",
            description = "Class of the new domain (default: same as the source).")
    String cls;

    @Option(names = "--ignore-errors",
            description = "Log errors met while copying metadata, but continue the clone.")
    boolean ignoreErrors;

    @Option(names = "-P", paramLabel = "POOL", description = "Pool to use for the new domain.")
    String onePool;

    @Option(names = {"-p", "--pool"}, paramLabel = "VOLUME=POOL",
            description = "Pool to use for one volume (repeatable).")
    List<String> pools = new ArrayList<>();

    public static void main(String[] args) {
        ToolRunner.main(new QvmClone(), args);
    }

    @Override
    int run() {
        qubes().require(vm);
        if (onePool != null && !pools.isEmpty()) {
            throw usage("argument -p/--pool: not allowed with argument -P");
        }
        Map<String, String> volumePools = new TreeMap<>();
        for (String p : pools) {
            String[] kv = p.split("=", -1);
            if (kv.length != 2) {
                throw usage("Pool argument must be of form: -p volume_name=pool_name");
            }
            volumePools.put(kv[0], kv[1]);
        }
        try {
            new Cloner(this, ignoreErrors).cloneVm(vm, newName, cls, onePool, volumePools, Set.of());
        } catch (QubesException e) {
            throw runtime(e.getMessage());
        }
        return 0;
    }
}
