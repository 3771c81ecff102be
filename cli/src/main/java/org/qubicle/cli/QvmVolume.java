package org.qubicle.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesNoSuchPropertyError;
import org.qubicle.model.exc.StoragePoolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvm-volume}: list and manage qube volumes (docs/cli.md). */
@Command(name = "qvm-volume", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Qubes volume management.",
        subcommands = {QvmVolume.ListVolumes.class, QvmVolume.Info.class, QvmVolume.Config.class,
            QvmVolume.Resize.class, QvmVolume.Revert.class, QvmVolume.Import.class,
            QvmVolume.Export.class, QvmVolume.Clone.class, QvmVolume.Clear.class})
public final class QvmVolume extends QubesTool {
    private static final List<String> INFO_ITEMS = List.of("pool", "vid", "rw", "source",
            "save_on_stop", "snap_on_start", "size", "usage", "revisions_to_keep", "ephemeral");

    public static void main(String[] args) {
        ToolRunner.main(new QvmVolume(), args);
    }

    @Override
    int run() {
        return new ListVolumes().with(this).call();
    }

    /** Base of the sub-commands: Qubes errors print {@code Error: <msg>} and give 1. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        QvmVolume parent;

        Sub with(QvmVolume p) {
            parent = p;
            return this;
        }

        abstract void run() throws IOException;

        Qubes qubes() {
            return parent.qubes();
        }

        @Override
        public Integer call() {
            try {
                run();
            } catch (QubesException | PermissionDenied e) {
                parent.err().println("Error: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                parent.err().println("Error: " + e.getMessage());
                return 1;
            }
            return 0;
        }

        boolean confirm(String message) throws IOException {
            parent.out().println(message);
            parent.out().print("Are you sure? [y/N] ");
            parent.out().flush();
            String line = new BufferedReader(new InputStreamReader(System.in)).readLine();
            return line != null && line.strip().equalsIgnoreCase("y");
        }
    }

    @Command(name = "list", aliases = {"ls", "l"}, mixinStandardHelpOptions = true,
            description = "List storage volumes.")
    static final class ListVolumes extends Sub {
        @Option(names = {"-p", "--pool"}, paramLabel = "POOL_NAME", description = "Only volumes in this pool (repeatable).")
        List<String> pools = new ArrayList<>();

        @Option(names = "--full", description = "Print a full line for each POOL_NAME:VOLUME_ID and qube.")
        boolean full;

        @Option(names = "--all", description = "List volumes of all qubes.")
        boolean all;

        @Option(names = "--exclude", paramLabel = "NAME", description = "Exclude the qube from --all.")
        List<String> exclude = new ArrayList<>();

        @Parameters(arity = "0..*", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
                description = "List volumes of these qubes.")
        List<String> names = new ArrayList<>();

        @Override
        void run() {
            Qubes qubes = qubes();
            if (!pools.isEmpty()) {
                List<String> known = Qubes.lines(qubes.call(Qubes.DOM0, "admin.pool.List", null, null));
                for (String p : pools) {
                    if (!known.contains(p)) {
                        throw new UsageError("No such pools: " + pools);
                    }
                }
            }
            boolean selected = all || !names.isEmpty();
            List<QubeEntry> domains = selected ? qubes.resolve(names, all, exclude)
                    : new ArrayList<>(qubes.domains().values());
            // pool → vid → [revisions, (vm, volume)...]
            Map<String, Map<String, List<String[]>>> byPool = new TreeMap<>();
            Map<String, String> revertible = new LinkedHashMap<>();
            for (QubeEntry d : domains) {
                for (String vol : Qubes.lines(qubes.call(d.name(), "admin.vm.volume.List", null, null))) {
                    VolumeRef ref = new VolumeRef(d.name(), vol);
                    Map<String, String> info = ref.info(qubes);
                    String pool = info.getOrDefault("pool", "");
                    if (!pools.isEmpty() && !pools.contains(pool)) {
                        continue;
                    }
                    String vid = info.getOrDefault("vid", "");
                    byPool.computeIfAbsent(pool, k -> new TreeMap<>())
                            .computeIfAbsent(vid, k -> new ArrayList<>()).add(new String[] {d.name(), vol});
                    revertible.putIfAbsent(pool + ":" + vid, ref.revisions(qubes).isEmpty() ? "No" : "Yes");
                }
            }
            boolean tty = System.console() != null && !full;
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("POOL:VOLUME", "VMNAME", "VOLUME_NAME", "REVERT_POSSIBLE"));
            byPool.forEach((pool, vids) -> vids.forEach((vid, users) -> {
                String id = pool + ":" + vid;
                String rev = revertible.get(id);
                List<String[]> rest = new ArrayList<>(users);
                String[] first = rest.removeLast();
                rows.add(List.of(id, first[0], first[1], rev));
                for (String[] u : rest) {
                    rows.add(List.of(tty ? "" : id, u[0], u[1], rev));
                }
            }));
            Table.print(parent.out(), rows);
        }
    }

    @Command(name = "info", aliases = "i", mixinStandardHelpOptions = true, description = "Info about a volume.")
    static final class Info extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PROPERTY",
                description = "Show only this property; 'revisions' lists the available revisions.")
        String property;

        @Override
        void run() {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            var out = parent.out();
            if (property != null) {
                switch (property) {
                    case "revisions" -> ref.revisions(qubes()).forEach(out::println);
                    case "is_outdated" -> out.println(ref.info(qubes()).getOrDefault("is_outdated", "False"));
                    default -> {
                        if (!INFO_ITEMS.contains(property)) {
                            throw new StoragePoolException("No such property: " + property);
                        }
                        out.println(ref.info(qubes()).getOrDefault(property, ""));
                    }
                }
                return;
            }
            Map<String, String> info = ref.info(qubes());
            List<List<String>> rows = new ArrayList<>();
            for (String item : INFO_ITEMS) {
                String v = info.getOrDefault(item, "");
                if (item.equals("revisions_to_keep") && v.equals("-1")) {
                    v = "-1 (snapshot disabled)";
                }
                rows.add(List.of(item, v));
            }
            rows.add(List.of("is_outdated", info.getOrDefault("is_outdated", "False")));
            Table.print(out, rows);
            List<String> revisions = ref.revisions(qubes());
            if (revisions.isEmpty()) {
                out.println("List of available revisions (for revert): none");
            } else {
                out.println("List of available revisions (for revert):");
                revisions.forEach(r -> out.println("  " + r));
            }
        }
    }

    @Command(name = "config", aliases = {"c", "set", "s"}, mixinStandardHelpOptions = true,
            description = "Set a config option of a volume: rw, revisions_to_keep or ephemeral.")
    static final class Config extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", paramLabel = "PROPERTY", description = "rw, revisions_to_keep or ephemeral.")
        String property;

        @Parameters(index = "2", paramLabel = "VALUE", description = "The new value.")
        String value;

        @Override
        void run() {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            if (!List.of("rw", "revisions_to_keep", "ephemeral").contains(property)) {
                throw new QubesNoSuchPropertyError("Invalid property: " + property);
            }
            ref.call(qubes(), "Set." + property, value);
        }
    }

    @Command(name = "resize", aliases = "extend", mixinStandardHelpOptions = true,
            description = "Resize a volume.")
    static final class Resize extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", paramLabel = "SIZE", description = "New size in bytes, or with a unit (K, M, G, KiB, MiB, GiB).")
        String size;

        @Option(names = {"-f", "--force"}, description = "Allow a size smaller than the current one.")
        boolean force;

        @Override
        void run() {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            long bytes = VolumeRef.parseSize(size);
            if (!force) {
                long current = Long.parseLong(ref.info(qubes()).getOrDefault("size", "0"));
                if (bytes < current) {
                    throw new StoragePoolException("Refusing to shrink volume " + ref + " from "
                            + current + " to " + bytes + " bytes.\nIf you really know what you are "
                            + "doing: Manually shrink the filesystem on the volume first, and "
                            + "repartition the volume if it is partitioned. Do this in a VM, not in "
                            + "dom0. Then use 'qvm-volume resize --force " + ref + " " + bytes + "'");
                }
            }
            ref.call(qubes(), "Resize", String.valueOf(bytes));
        }
    }

    @Command(name = "revert", aliases = {"rv", "r"}, mixinStandardHelpOptions = true,
            description = "Revert a volume to a previous revision.")
    static final class Revert extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REVISION",
                description = "Revision to revert to; the newest one if not given.")
        String revision;

        @Override
        void run() {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            String rev = revision;
            if (rev == null) {
                List<String> revisions = ref.revisions(qubes());
                if (revisions.isEmpty()) {
                    throw new StoragePoolException("No snapshots available");
                }
                rev = revisions.getLast();
            }
            ref.call(qubes(), "Revert", rev);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Import volume data.")
    static final class Import extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", paramLabel = "PATH", description = "File to import; '-' for standard input.")
        String path;

        @Option(names = "--size", paramLabel = "SIZE", description = "Set the volume size to this many bytes.")
        Long size;

        @Option(names = "--no-resize", description = "Do not resize the volume before importing.")
        boolean noResize;

        @Override
        void run() throws IOException {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            boolean stdin = path.equals("-");
            Long known = size;
            if (known == null && !stdin) {
                known = java.nio.file.Files.size(java.nio.file.Path.of(path));
            }
            try (java.io.InputStream in = stdin ? System.in : java.nio.file.Files.newInputStream(java.nio.file.Path.of(path))) {
                if (known != null && !noResize) {
                    // As qubesadmin: the size line, then the data (admin.vm.volume.ImportWithSize).
                    byte[] head = (known + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    qubes().client().callStreaming(ref.vm(), "admin.vm.volume.ImportWithSize", ref.name(), head, in);
                } else {
                    if (known != null) {
                        long current = Long.parseLong(ref.info(qubes()).getOrDefault("size", "0"));
                        if (known > current) {
                            throw new StoragePoolException("Cannot import " + known + " bytes into a volume of "
                                    + current + " bytes; resize it first or drop --no-resize");
                        }
                    }
                    qubes().client().callStreaming(ref.vm(), "admin.vm.volume.Import", ref.name(), null, in);
                }
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export volume data to a file.")
    static final class Export extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Parameters(index = "1", paramLabel = "PATH", description = "File to write; '-' for standard output.")
        String path;

        @Override
        void run() throws IOException {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            if (path.equals("-")) {
                qubes().client().callToStream(ref.vm(), "admin.vm.volume.Export", ref.name(), System.out);
                System.out.flush();
                return;
            }
            java.nio.file.Path out = java.nio.file.Path.of(path);
            java.nio.file.Path tmp = out.resolveSibling(out.getFileName() + ".part");
            try (var os = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 16)) {
                qubes().client().callToStream(ref.vm(), "admin.vm.volume.Export", ref.name(), os);
            } catch (RuntimeException | IOException e) {
                java.nio.file.Files.deleteIfExists(tmp);
                throw e;
            }
            java.nio.file.Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Command(name = "clone", mixinStandardHelpOptions = true, description = "Clone volume data.")
    static final class Clone extends Sub {
        @Parameters(index = "0", paramLabel = "SOURCE_VM:SOURCE_VOLUME", description = "Source volume.")
        String src;

        @Parameters(index = "1", paramLabel = "DESTINATION_VM:DESTINATION_VOLUME", description = "Destination volume.")
        String dst;

        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation.")
        boolean force;

        @Override
        void run() throws IOException {
            VolumeRef s = VolumeRef.resolve(qubes(), src);
            VolumeRef d = VolumeRef.resolve(qubes(), dst);
            if (!"True".equals(s.info(qubes()).get("save_on_stop"))
                    || !"True".equals(d.info(qubes()).get("save_on_stop"))) {
                throw new StoragePoolException("Volumes must be save_on_stop for cloning");
            }
            if (!force && !confirm("This will clone the data from " + s + " into " + d
                    + "!\n(Data in " + d + " may be preserved in a revision.)")) {
                parent.out().println("Clone cancelled.");
                return;
            }
            String token = qubes().call(s.vm(), "admin.vm.volume.CloneFrom", s.name(), null);
            d.call(qubes(), "CloneTo", token);
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true, description = "Clear volume data.")
    static final class Clear extends Sub {
        @Parameters(index = "0", paramLabel = "VM:VOLUME", description = "The volume.")
        String volume;

        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation.")
        boolean force;

        @Override
        void run() throws IOException {
            VolumeRef ref = VolumeRef.resolve(qubes(), volume);
            if (!force && !confirm("This will empty the volume!\n(Data may be preserved in a revision.)")) {
                parent.out().println("Clear cancelled.");
                return;
            }
            ref.call(qubes(), "Clear", null);
        }
    }
}
