package org.qubicle.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.qubicle.api.client.AdminClient;
import org.qubicle.driver.rootfs.BusyboxRootfs;
import org.qubicle.driver.testing.LeakCheck;

/**
 * A daemon on a fresh temporary root, for the integration tests that run real qubes (root).
 * The host's mounts, cgroups, processes and loop devices are recorded first. {@link #close}
 * kills every qube still running (a daemon that merely stops leaves them for the next one to
 * take back), stops the daemon, fails if anything of this root or its qubes is left, and
 * only then deletes the root (a failure keeps it, to look at).
 */
public final class QubesTestRoot implements AutoCloseable {
    private final LeakCheck.Snapshot before = LeakCheck.snapshot();
    private final Path root;
    private final Set<String> scope = new LinkedHashSet<>();
    private Daemon daemon;
    private AdminClient admin;

    private QubesTestRoot(String prefix, List<String> qubes) throws IOException {
        root = Files.createTempDirectory(prefix);
        // The qubes' uids must traverse the root to reach their runtime and private dirs.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        scope.add(root.toString());
        scope.add("disp");
        scope.addAll(qubes);
        open();
    }

    /**
     * Starts a daemon on a new root named {@code prefix...}; {@code qubes} are names whose
     * leftovers count too if the test removes those qubes before {@link #close}.
     */
    public static QubesTestRoot start(String prefix, String... qubes) throws IOException {
        return new QubesTestRoot(prefix, List.of(qubes));
    }

    private void open() throws IOException {
        daemon = Daemon.start(new QubesPaths(root));
        admin = new AdminClient(daemon.paths().adminSocket());
    }

    public Path root() {
        return root;
    }

    public Daemon daemon() {
        return daemon;
    }

    /** A client of this daemon's admin socket, calling as dom0. */
    public AdminClient admin() {
        return admin;
    }

    /** Creates the TemplateVM {@code name} with a busybox root tree (built into its root at first start); returns the tree. */
    public Path busyboxTemplate(String name) throws IOException {
        admin.callText("dom0", "admin.vm.Create.TemplateVM", "", "name=" + name + " label=black");
        Path tree = root.resolve("var/lib/qubes/vm-templates").resolve(name).resolve("root-tree");
        BusyboxRootfs.build(tree);
        return tree;
    }

    /** Fails when something new since the start, containing one of {@code scope}, stays (LeakCheck). */
    public void assertNoLeaks(String... scope) {
        LeakCheck.assertNoLeaks(before, scope);
    }

    /** Stops the daemon, leaving its qubes running, and starts a new one on the same root. */
    public void restart() throws IOException {
        daemon.close();
        open();
    }

    @Override
    public void close() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (String line : admin.callText("dom0", "admin.vm.List", null, null).split("\n")) {
                String name = line.split(" ")[0];
                if (!name.isEmpty() && !name.equals("dom0")) {
                    names.add(name);
                }
            }
            for (String q : names) {
                try {
                    admin.callText(q, "admin.vm.Kill", "", "");
                } catch (RuntimeException e) {
                    // not running (or removed by the kill of another: an auto_cleanup disposable)
                }
            }
        } finally {
            scope.addAll(names);
            daemon.close();
        }
        LeakCheck.assertNoLeaks(before, scope.toArray(String[]::new));
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
