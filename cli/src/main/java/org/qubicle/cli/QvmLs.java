package org.qubicle.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qubicle.api.client.QubeEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-ls}: list qubes and their properties (docs/cli.md). */
@Command(name = "qvm-ls", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List Qubes domains and their parameters.",
        footer = {"", "Available formats: disk, full, kernel, network, prefs, simple (see --help-formats).",
            "Available columns: any property, and CLASS, DISK, FLAGS, GATEWAY, MEMORY, PRIV-CURR,",
            "PRIV-MAX, PRIV-POOL, PRIV-USED, ROOT-CURR, ROOT-MAX, ROOT-POOL, ROOT-USED, STATE",
            "(see --help-columns)."})
public final class QvmLs extends QubesTool {
    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT",
            description = "Preset format: ${COMPLETION-CANDIDATES} (default: simple).",
            completionCandidates = FormatNames.class)
    String format;

    @Option(names = {"-O", "--fields"}, paramLabel = "FIELD,...",
            description = "User-specified columns, comma separated (see --help-columns).")
    String fields;

    @Option(names = {"-d", "--disk"}, description = "Same as --format=disk.")
    boolean disk;

    @Option(names = {"-n", "--network"}, description = "Same as --format=network.")
    boolean network;

    @Option(names = {"-k", "--kernel"}, description = "Same as --format=kernel.")
    boolean kernel;

    @Option(names = {"-t", "--tree"}, description = "Sort the domain list as a network tree.")
    boolean tree;

    @Option(names = "--raw-data", description = "Print the data of the qubes without header "
            + "or padding, cells separated by '|'. Intended for scripts.")
    boolean rawData;

    @Option(names = "--raw-list", description = "Same as --raw-data --fields=name.")
    boolean rawList;

    @Option(names = "--json", description = "Print a JSON array of objects keyed by column "
            + "name (Qubicle extension).")
    boolean json;

    @Option(names = "--help-formats", description = "List the available formats and exit.")
    boolean helpFormats;

    @Option(names = "--help-columns", description = "List the available columns and exit.")
    boolean helpColumns;

    @Option(names = "--class", arity = "1..*", paramLabel = "CLASS",
            description = "Show only qubes of these classes.")
    List<String> klass;

    @Option(names = "--label", arity = "1..*", paramLabel = "LABEL",
            description = "Show only qubes with these labels.")
    List<String> label;

    @Option(names = "--tags", arity = "1..*", paramLabel = "TAG",
            description = "Show only qubes having any of these tags.")
    List<String> tags;

    @Option(names = "--exclude-tags", arity = "1..*", paramLabel = "TAG",
            description = "Exclude qubes having any of these tags.")
    List<String> excludeTags;

    @Option(names = "--running", description = "Show running qubes.")
    boolean running;

    @Option(names = "--paused", description = "Show paused qubes.")
    boolean paused;

    @Option(names = "--halted", description = "Show halted qubes.")
    boolean halted;

    @Option(names = "--template-source", arity = "1..*", paramLabel = "TEMPLATE",
            description = "Show only qubes based on these templates; \"\" means none.")
    List<String> templateSource;

    @Option(names = "--netvm-is", arity = "1..*", paramLabel = "NETVM",
            description = "Show only qubes connecting through these netvms.")
    List<String> netvmIs;

    @Option(names = "--internal", paramLabel = "<y|n>",
            description = "Show only internal qubes (y) or hide them (n).")
    String internal;

    @Option(names = "--servicevm", paramLabel = "<y|n>",
            description = "Show only service qubes (y) or hide them (n).")
    String servicevm;

    @Option(names = "--pending-update", description = "Show only qubes with updates pending.")
    boolean pendingUpdate;

    @Option(names = "--features", arity = "1..*", paramLabel = "FEATURE=VALUE",
            description = "Show only qubes with all these feature values; no VALUE means "
                    + "unset, '' means empty.")
    List<String> features;

    @Option(names = "--prefs", arity = "1..*", paramLabel = "PREFERENCE=VALUE",
            description = "Show only qubes with all these property values; no VALUE means "
                    + "None, '' means empty.")
    List<String> prefs;

    @Option(names = "--sort", paramLabel = "COLUMN", defaultValue = "NAME",
            description = "Sort by this column rather than NAME.")
    String sort;

    @Option(names = "--reverse", description = "Reverse the sort order.")
    boolean reverse;

    @Option(names = "--ignore-case", description = "Ignore case when sorting.")
    boolean ignoreCase;

    @Option(names = {"--spinner", "--no-spinner"}, negatable = false,
            description = "Accepted for compatibility; no spinner is drawn.")
    boolean spinner;

    @Option(names = "--all", description = "List all qubes (the default).")
    boolean all;

    @Option(names = "--exclude", paramLabel = "NAME", description = "Exclude the qube from --all.")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "VMNAME", arity = "0..*", completionCandidates = QubeNames.class,
            description = "Zero or more qube names (wildcards allowed).")
    List<String> names = new ArrayList<>();

    /** Set when run without picocli ({@link QvmLsFast}); else picocli's streams. */
    private PrintWriter out;
    private PrintWriter err;

    public static void main(String[] args) {
        // The common command lines skip picocli (see QvmLsArgs); the rest, help and usage
        // errors included, go through it as in every other tool.
        PrintWriter out = new PrintWriter(System.out, false);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = QvmLsFast.execute(new QvmLs(), args, out, err);
        if (code == QvmLsFast.USE_PICOCLI) {
            ToolRunner.main(new QvmLs(), args);
        }
        System.exit(code);
    }

    void streams(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    PrintWriter out() {
        return out != null ? out : super.out();
    }

    @Override
    PrintWriter err() {
        return err != null ? err : super.err();
    }

    @Override
    int run() {
        if (helpFormats) {
            out().println("Available formats:");
            LsColumns.FORMATS.forEach((f, cols) -> out().printf("  %-7s  %s%n", f,
                    String.join(",", cols).toUpperCase(Locale.ROOT)));
            out().println();
            return 0;
        }
        if (helpColumns) {
            out().println("Available columns:");
            LsColumns.COMPUTED.forEach((h, doc) ->
                    out().println(PrefsLogic.wrap(String.format("  %-9s  %s", h, doc), 15)));
            out().println();
            out().println("Additionally any VM property may be used as a column, see qvm-prefs "
                    + "--help-properties for available values");
            out().println();
            return 0;
        }
        List<String> columns = columns();
        if (all && !names.isEmpty()) {
            throw usage("argument --all: not allowed with argument VMNAME");
        }
        Qubes qubes = qubes();
        List<QubeEntry> selected;
        if (!names.isEmpty()) {
            selected = qubes.resolve(names, false, exclude);
        } else {
            if (!all && !exclude.isEmpty()) {
                throw usage("--exclude can only be used with --all");
            }
            selected = new ArrayList<>();
            for (QubeEntry e : qubes.domains().values()) {
                if (!exclude.contains(e.name())) {
                    selected.add(e);
                }
            }
        }
        if (klass != null) {
            selected.removeIf(e -> !klass.contains(e.klass()));
        }
        List<LsQube> vms = new ArrayList<>(selected.size());
        for (QubeEntry e : selected) {
            vms.add(new LsQube(e, qubes));
        }
        LsFetch.properties(qubes, vms, qubes.domains().size(), columns);
        vms = new LsFilters(this, qubes).apply(vms);
        Map<String, LsQube> byName = new LinkedHashMap<>();
        for (LsQube vm : vms) {
            byName.put(vm.name(), vm);
        }
        new LsOutput(this, new LsColumns(qubes, byName), columns).write(vms);
        return 0;
    }

    private List<String> columns() {
        int presets = (format != null ? 1 : 0) + (fields != null ? 1 : 0) + (disk ? 1 : 0)
                + (network ? 1 : 0) + (kernel ? 1 : 0);
        if (presets > 1) {
            throw usage("only one of --format, --fields, --disk, --network, --kernel is allowed");
        }
        String fmt = disk ? "disk" : network ? "network" : kernel ? "kernel"
                : format == null ? "simple" : format;
        if (!LsColumns.FORMATS.containsKey(fmt)) {
            throw usage("argument --format/-o: invalid choice: " + Py.repr(fmt)
                    + " (choose from 'simple', 'network', 'kernel', 'full', 'prefs', 'disk')");
        }
        if (rawList) {
            rawData = true;
            return List.of("name");
        }
        if (fields != null) {
            List<String> cols = new ArrayList<>();
            for (String c : fields.split(",", -1)) {
                cols.add(c.strip());
            }
            return cols;
        }
        return LsColumns.FORMATS.get(fmt);
    }

    /**
     * Sorts qube entries by name, as Python sorts qube objects. A class, not a method
     * reference: {@code Comparator.comparing} spins a lambda class at every start.
     */
    static final Comparator<LsQube> BY_NAME = new ByName();

    private static final class ByName implements Comparator<LsQube> {
        @Override
        public int compare(LsQube a, LsQube b) {
            return a.name().compareTo(b.name());
        }
    }
}
