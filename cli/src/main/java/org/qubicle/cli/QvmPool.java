package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvm-pool}: manage storage pools (docs/cli.md). */
@Command(name = "qvm-pool", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manages Qubes pools and their options.",
        subcommands = {QvmPool.Drivers.class, QvmPool.ListPools.class, QvmPool.Info.class,
            QvmPool.Add.class, QvmPool.Remove.class, QvmPool.SetOptions.class})
public final class QvmPool extends QubesTool {
    public static void main(String[] args) {
        ToolRunner.main(new QvmPool(), args);
    }

    @Override
    int run() {
        return listPools();
    }

    int listPools() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "DRIVER"));
        for (String pool : pools()) {
            rows.add(List.of(pool, info(pool).getOrDefault("driver", "")));
        }
        Table.print(out(), rows);
        return 0;
    }

    List<String> pools() {
        return Qubes.lines(qubes().call(Qubes.DOM0, "admin.pool.List", null, null));
    }

    Map<String, String> info(String pool) {
        return Qubes.keyValues(qubes().call(Qubes.DOM0, "admin.pool.Info", pool, null));
    }

    static Map<String, String> options(List<String> opts) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (String o : opts) {
            int eq = o.indexOf('=');
            if (eq < 0) {
                throw new UsageError("invalid option, expected opt=value: " + Py.repr(o));
            }
            map.put(o.substring(0, eq), o.substring(eq + 1));
        }
        return map;
    }

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        QvmPool parent;

        abstract int run();

        @Override
        public Integer call() {
            try {
                return run();
            } catch (QubesException e) {
                throw runtime(e.getMessage());
            }
        }
    }

    @Command(name = "drivers", aliases = "d", mixinStandardHelpOptions = true,
            description = "List all drivers with their options.")
    static final class Drivers extends Sub {
        @Override
        int run() {
            Map<String, String> drivers = new TreeMap<>();
            for (String line : Qubes.lines(parent.qubes().call(Qubes.DOM0, "admin.pool.ListDrivers", null, null))) {
                String[] parts = line.split(" ");
                drivers.put(parts[0], String.join(", ", List.of(parts).subList(1, parts.length)));
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("DRIVER", "OPTIONS"));
            drivers.forEach((d, o) -> rows.add(List.of(d, o)));
            Table.print(parent.out(), rows);
            return 0;
        }
    }

    @Command(name = "list", aliases = {"l", "ls"}, mixinStandardHelpOptions = true,
            description = "List all available pools.")
    static final class ListPools extends Sub {
        @Override
        int run() {
            return parent.listPools();
        }
    }

    @Command(name = "info", aliases = "i", mixinStandardHelpOptions = true,
            description = "Print info about the specified pool.")
    static final class Info extends Sub {
        @Parameters(paramLabel = "POOL_NAME", description = "The pool.")
        String pool;

        @Override
        int run() {
            if (!parent.pools().contains(pool)) {
                throw new UsageError("No such pools: [" + Py.repr(pool) + "]");
            }
            Map<String, String> info = new TreeMap<>(parent.info(pool));
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("name", pool));
            info.forEach((k, v) -> {
                if (!k.equals("name")) {
                    rows.add(List.of(k, v));
                }
            });
            Table.print(parent.out(), rows);
            return 0;
        }
    }

    @Command(name = "add", aliases = "a", mixinStandardHelpOptions = true, description = "Add a new pool.")
    static final class Add extends Sub {
        @Parameters(index = "0", paramLabel = "POOL_NAME", description = "Name of the new pool.")
        String pool;

        @Parameters(index = "1", paramLabel = "DRIVER", description = "Storage driver (see qvm-pool drivers).")
        String driver;

        @Option(names = {"-o", "--option"}, paramLabel = "OPT=VALUE",
                description = "Set an option of the driver (repeatable); see qvm-pool drivers.")
        List<String> option = new ArrayList<>();

        @Override
        int run() {
            StringBuilder payload = new StringBuilder("name=" + pool + "\n");
            options(option).forEach((k, v) -> payload.append(k).append('=').append(v).append('\n'));
            try {
                parent.qubes().call(Qubes.DOM0, "admin.pool.Add", driver, payload.toString());
            } catch (QubesException | PermissionDenied | org.qubicle.model.exc.ProtocolError e) {
                throw runtime("Failed to add pool " + pool + ": " + e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "remove", aliases = {"r", "rm"}, mixinStandardHelpOptions = true,
            description = "Remove the specified pools.")
    static final class Remove extends Sub {
        @Parameters(arity = "1..*", paramLabel = "POOL_NAME", description = "Pools to remove.")
        List<String> pools = new ArrayList<>();

        @Override
        int run() {
            List<String> errors = new ArrayList<>();
            List<String> existing = parent.pools();
            for (String p : pools) {
                if (!existing.contains(p)) {
                    errors.add("No such pool " + p + "\n");
                    continue;
                }
                try {
                    parent.qubes().call(Qubes.DOM0, "admin.pool.Remove", p, null);
                } catch (QubesException | PermissionDenied e) {
                    errors.add("Failed to remove pool " + p + ": " + e.getMessage() + "\n");
                }
            }
            if (!errors.isEmpty()) {
                throw runtime(String.join("\n", errors));
            }
            return 0;
        }
    }

    @Command(name = "set", aliases = "s", mixinStandardHelpOptions = true,
            description = "Modify driver options of a pool.")
    static final class SetOptions extends Sub {
        @Parameters(paramLabel = "POOL_NAME", description = "The pool.")
        String pool;

        @Option(names = {"-o", "--option"}, paramLabel = "OPT=VALUE",
                description = "Option to set: revisions_to_keep or ephemeral_volatile (repeatable).")
        List<String> option = new ArrayList<>();

        @Override
        int run() {
            if (!parent.pools().contains(pool)) {
                throw runtime("No such pool " + pool);
            }
            List<String> errors = new ArrayList<>();
            options(option).forEach((k, v) -> {
                if (!k.equals("revisions_to_keep") && !k.equals("ephemeral_volatile")) {
                    errors.add("Setting option " + k + " is not supported for pool " + pool + "\n");
                    return;
                }
                try {
                    parent.qubes().call(Qubes.DOM0, "admin.pool.Set." + k, pool, v);
                } catch (QubesException | PermissionDenied | org.qubicle.model.exc.ProtocolError e) {
                    errors.add("Failed to set option " + k + " for pool " + pool + ": "
                            + e.getMessage() + "\n");
                }
            });
            if (!errors.isEmpty()) {
                throw runtime(String.join("\n", errors));
            }
            return 0;
        }
    }
}
