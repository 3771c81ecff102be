package org.qubicle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.qubicle.api.client.AdminClient;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.driver.rootfs.BusyboxRootfs;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code qvm-template}: {@code install minimal|debian-12}, {@code list}, {@code remove}.
 * A template's root is a directory tree at {@code /var/lib/qubes/vm-templates/NAME/root-tree}
 * (the daemon's directory storage, docs/lifecycle.md). {@code minimal} is a busybox tree for
 * tests; {@code debian-12} runs mmdebstrap with the host's own apt sources (never a mirror
 * named in code), printing its progress, and caches the image for the next install
 * ({@link DebianTemplate}).
 */
@Command(name = "qvm-template", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Qubes Template Manager")
public final class QvmTemplate extends QubesTool {
    /** The templates this tool can build. */
    static final List<String> AVAILABLE = List.of("minimal", "debian-12", TorTemplate.NAME);

    @Parameters(index = "0", paramLabel = "OPERATION", description = "install, list, remove")
    String operation;

    @Parameters(index = "1..*", paramLabel = "TEMPLATE", arity = "0..*", description = "template names")
    List<String> names = new ArrayList<>();

    public static void main(String[] args) {
        ToolRunner.main(new QvmTemplate(), args);
    }

    static Path tree(String name) {
        return AdminClient.root().resolve("var/lib/qubes/vm-templates").resolve(name).resolve("root-tree");
    }

    @Override
    int run() throws Exception {
        switch (operation) {
            case "list" -> {
                out().println("Installed Templates");
                for (QubeEntry e : qubes().domains().values()) {
                    if (e.klass().equals("TemplateVM") && Files.isDirectory(tree(e.name()), LinkOption.NOFOLLOW_LINKS)) {
                        out().println(e.name());
                    }
                }
                out().println("Available Templates");
                AVAILABLE.forEach(out()::println);
                return 0;
            }
            case "install" -> {
                if (names.isEmpty()) {
                    throw usage("install: no template given");
                }
                for (String n : names) {
                    install(n);
                }
                return 0;
            }
            case "remove" -> {
                if (names.isEmpty()) {
                    throw usage("remove: no template given");
                }
                for (String n : names) {
                    try {
                        qubes().call(n, "admin.vm.Remove", null, null);
                    } catch (QubesException e) {
                        throw runtime(e.getMessage());
                    }
                    deleteTree(tree(n).getParent());
                }
                return 0;
            }
            default -> throw usage("unknown operation: " + operation);
        }
    }

    private void install(String name) throws IOException, InterruptedException {
        if (!AVAILABLE.contains(name)) {
            throw runtime("Template '" + name + "' not found (available: " + String.join(", ", AVAILABLE) + ")");
        }
        if (qubes().domains().containsKey(name)) {
            throw runtime("Template '" + name + "' already installed");
        }
        Path tree = tree(name);
        Path staging = tree.resolveSibling("root-tree.new");
        deleteTree(staging);
        Files.createDirectories(staging.getParent());
        try {
            if (name.equals("minimal")) {
                BusyboxRootfs.build(staging);
            } else if (name.equals(TorTemplate.NAME)) {
                TorTemplate.build(AdminClient.root(), staging, err());
            } else {
                DebianTemplate.build(AdminClient.root(), staging, err());
            }
            qubes().call("dom0", "admin.vm.Create.TemplateVM", null, "name=" + name + " label=black");
            Files.move(staging, tree);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        out().println("Installed template " + name);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
