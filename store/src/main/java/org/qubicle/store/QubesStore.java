package org.qubicle.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qubicle.model.HostInfo;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.firewall.FirewallRule;

/**
 * Where a system's state lives on disk, under one root ({@code QUBES_ROOT}):
 * {@code var/lib/qubes/qubes.xml}, and beside each qube's images its
 * {@code firewall.xml} and {@code notes.txt}. Every write is atomic ({@link AtomicFile});
 * a file whose content did not change is not rewritten.
 *
 * <pre>{@code
 * QubesStore store = new QubesStore(Path.of("/"));
 * Qubes app = store.loadOrCreate(HostInfo.probe());
 * app.globals().set("default_netvm", "sys-firewall");
 * store.save(app);
 * }</pre>
 */
public final class QubesStore {
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-rw----");
    private final Path root;
    private final Map<Path, byte[]> written = new HashMap<>();

    public QubesStore(Path root) {
        this.root = root;
    }

    public Path xmlPath() {
        return root.resolve("var/lib/qubes/qubes.xml");
    }

    /** The directory of a qube's files: {@code var/lib/qubes/appvms/NAME} or {@code vm-templates/NAME}. */
    public Path qubeDir(Qube q) {
        return root.resolve("var/lib/qubes").resolve(q.klass().directory()).resolve(q.name());
    }

    /** Loads the system, or creates a fresh one holding only dom0 and saves it. */
    public Qubes loadOrCreate(HostInfo host) throws IOException {
        if (Files.exists(xmlPath())) {
            return load(host);
        }
        Qubes app = Qubes.fresh(root, host);
        save(app);
        return app;
    }

    public Qubes load(HostInfo host) throws IOException {
        byte[] xml = Files.readAllBytes(xmlPath());
        Qubes app = QubesXmlReader.read(xml, root, host);
        written.put(xmlPath(), xml);
        for (Qube q : app.qubes()) {
            if (q.klass() == QubeClass.ADMIN_VM) {
                continue;
            }
            Path dir = qubeDir(q);
            byte[] fw = readIfExists(dir.resolve("firewall.xml"));
            if (fw != null) {
                q.loadFirewall(FirewallXml.read(fw));
            }
            byte[] notes = readIfExists(dir.resolve("notes.txt"));
            if (notes != null) {
                q.setNotes(new String(notes, StandardCharsets.UTF_8));
            }
        }
        return app;
    }

    /**
     * Saves everything that changed: qubes.xml, then each qube's firewall and notes.
     * When this returns, the state survives {@code kill -9} and power loss.
     */
    public void save(Qubes app) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        Set<Path> live = new HashSet<>();
        for (Qube q : app.qubes()) {
            if (q.klass() == QubeClass.ADMIN_VM) {
                continue;
            }
            Path dir = qubeDir(q);
            List<FirewallRule> rules = q.firewall();
            writeIfChanged(dir.resolve("firewall.xml"), FirewallXml.write(rules, now), live);
            if (!q.notes().isEmpty() || Files.exists(dir.resolve("notes.txt"))) {
                writeIfChanged(dir.resolve("notes.txt"), q.notes().getBytes(StandardCharsets.UTF_8), live);
            }
        }
        writeIfChanged(xmlPath(), QubesXmlWriter.write(app), live);
        for (Path gone : new HashSet<>(written.keySet())) {
            if (!live.contains(gone)) {
                Files.deleteIfExists(gone);
                written.remove(gone);
                deleteIfEmpty(gone.getParent());
            }
        }
    }

    private void writeIfChanged(Path file, byte[] content, Set<Path> live) throws IOException {
        live.add(file);
        if (!Arrays.equals(written.get(file), content)) {
            AtomicFile.write(file, content, MODE);
            written.put(file, content);
        }
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    private static byte[] readIfExists(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
