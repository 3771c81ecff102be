package org.qubicle.backup.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.qubicle.backup.BackupReader;
import org.qubicle.backup.RestoredFile;
import org.qubicle.backup.xml.BackupQube;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.firewall.FirewallRule;
import org.qubicle.store.FirewallXml;

/**
 * Restores the planned qubes into the running daemon, as qubesadmin's {@code restore_do}:
 * the data is first extracted and checked completely into a private staging directory,
 * then the qubes are created with their labels, properties, features, tags, firewall and
 * notes, then their volumes are imported ({@code admin.vm.volume.ImportWithSize}).
 * If anything fails after the first qube was created, every qube this restore created is
 * removed again: nothing half-made is left behind.
 */
final class Restorer {
    /** Set on the new qube only after every qube exists, or resolved by the plan. */
    private static final Set<String> LATER = Set.of("name", "label", "template", "qid", "uuid", "dispid",
            "installed_by_rpm", "netvm", "default_dispvm", "template_for_dispvms", "klass", "xid");

    private final AdminCalls api;
    private final PrintWriter err;
    private final boolean verbose;
    private final List<String> created = new ArrayList<>();

    Restorer(AdminCalls api, PrintWriter err, boolean verbose) {
        this.api = api;
        this.err = err;
        this.verbose = verbose;
    }

    /** Runs the whole restore; {@code staging} is removed afterwards in every case. */
    void restore(BackupReader reader, RestorePlan plan, Path staging, ProgressBar importBar) throws IOException {
        List<RestorePlan.Item> todo = plan.restoring();
        List<String> names = todo.stream().map(it -> it.source.name()).toList();
        try {
            List<RestoredFile> files = names.isEmpty() ? List.of() : reader.extract(staging, names);
            try {
                apply(todo, files, staging, reader.labels(), importBar);
            } catch (RuntimeException | IOException e) {
                rollback();
                throw e;
            }
        } finally {
            deleteTree(staging);
        }
    }

    private void apply(List<RestorePlan.Item> todo, List<RestoredFile> files, Path staging,
            Map<String, String> backupLabels, ProgressBar bar) throws IOException {
        Set<String> hostLabels = api.labels();
        for (RestorePlan.Item it : todo) {
            String label = it.source.label();
            if (!hostLabels.contains(label)) {
                String color = backupLabels.getOrDefault(label, "0x000000");
                api.call("dom0", "admin.label.Create", label, color);
                hostLabels.add(label);
                log("created label " + label + " (" + color + ")");
            }
        }
        for (RestorePlan.Item it : todo) {
            String arg = it.template;
            api.call("dom0", "admin.vm.Create." + it.source.klass(), arg,
                    "name=" + it.name + " label=" + it.source.label());
            created.add(it.name);
            log("created " + it.name);
            String tfd = it.source.properties().get("template_for_dispvms");
            if (tfd != null) {
                set(it.name, "template_for_dispvms", tfd);
            }
        }
        for (RestorePlan.Item it : todo) {
            BackupQube q = it.source;
            for (Map.Entry<String, String> p : q.properties().entrySet()) {
                if (!LATER.contains(p.getKey())) {
                    set(it.name, p.getKey(), p.getValue());
                }
            }
            for (Map.Entry<String, String> f : q.features().entrySet()) {
                api.call(it.name, "admin.vm.feature.Set", f.getKey(), f.getValue());
            }
            for (String tag : q.tags()) {
                api.call(it.name, "admin.vm.tag.Set", tag, null);
            }
        }
        for (RestorePlan.Item it : todo) {
            if (it.netvm != null) {
                set(it.name, "netvm", it.netvm);
            }
            String dd = it.source.properties().get("default_dispvm");
            if (dd != null) {
                String resolved = dd.isEmpty() ? "" : plan(todo, dd);
                if (resolved != null) {
                    set(it.name, "default_dispvm", resolved);
                }
            }
        }
        long total = 0;
        for (RestoredFile f : files) {
            if (f.path().endsWith(".img")) {
                total += f.size();
            }
        }
        AtomicLong sent = new AtomicLong();
        final long all = Math.max(1, total);
        for (RestorePlan.Item it : todo) {
            String dir = it.source.backupPath();
            Path qdir = staging.resolve(dir);
            Path fw = qdir.resolve("firewall.xml");
            if (Files.isRegularFile(fw, LinkOption.NOFOLLOW_LINKS)) {
                StringBuilder rules = new StringBuilder();
                for (FirewallRule r : FirewallXml.read(Files.readAllBytes(fw))) {
                    rules.append(r.toApiString()).append('\n');
                }
                api.call(it.name, "admin.vm.firewall.Set", null, rules.toString());
            }
            Path notes = qdir.resolve("notes.txt");
            if (Files.isRegularFile(notes, LinkOption.NOFOLLOW_LINKS)) {
                api.call(it.name, "admin.vm.notes.Set", null, Files.readString(notes, StandardCharsets.UTF_8));
            }
            Set<String> volumes = Set.of(api.call(it.name, "admin.vm.volume.List", null, null).split("\n"));
            for (RestoredFile f : files) {
                if (!f.qube().equals(it.source.name()) || !f.path().endsWith(".img")) {
                    continue;
                }
                String file = f.path().substring(f.path().lastIndexOf('/') + 1);
                String vol = file.substring(0, file.length() - 4);
                if (!volumes.contains(vol)) {
                    warn("the backup has " + vol + ".img for " + it.name + " but the new qube has no such volume");
                    continue;
                }
                try (InputStream in = Files.newInputStream(staging.resolve(f.path()))) {
                    api.importVolume(it.name, vol, in, f.size(), n -> bar.update(
                            sent.addAndGet(n) * 100.0 / all, sent.get()));
                }
                log("imported " + it.name + ":" + vol + " (" + f.size() + " bytes)");
            }
        }
        bar.update(100, sent.get());
        bar.done();
    }

    /** default_dispvm: the restored (renamed) qube, or the name itself if the host has it. */
    private String plan(List<RestorePlan.Item> todo, String name) {
        for (RestorePlan.Item it : todo) {
            if (it.source.name().equals(name)) {
                return it.name;
            }
        }
        if (api.qubes().containsKey(name)) {
            return name;
        }
        warn("default_dispvm " + name + " is missing: using the default");
        return null;
    }

    /** As qubesadmin: a property the host refuses is reported, and the qube is restored anyway. */
    private void set(String qube, String prop, String value) {
        try {
            api.call(qube, "admin.vm.property.Set", prop, value);
        } catch (QubesException e) {
            warn("Error setting " + qube + "." + prop + " to " + value + ": " + e.getMessage());
        }
    }

    /** Removes what this restore created, newest first, with references between them undone. */
    private void rollback() {
        if (created.isEmpty()) {
            return;
        }
        warn("restore failed: removing the " + created.size() + " qube(s) it created");
        for (String q : created) {
            for (String prop : List.of("netvm", "default_dispvm")) {
                try {
                    api.call(q, "admin.vm.property.Set", prop, "");
                } catch (RuntimeException e) {
                    // best effort: a removal below reports what is still in the way
                }
            }
        }
        List<String> left = new ArrayList<>(created.reversed());
        for (int pass = 0; pass < 3 && !left.isEmpty(); pass++) {
            for (String q : List.copyOf(left)) {
                try {
                    api.call(q, "admin.vm.Remove", null, null);
                    left.remove(q);
                } catch (RuntimeException e) {
                    if (pass == 2) {
                        warn("could not remove " + q + ": " + e.getMessage());
                    }
                }
            }
        }
        created.clear();
    }

    private void log(String msg) {
        if (verbose) {
            err.println("qubesadmin.backup: " + msg);
            err.flush();
        }
    }

    private void warn(String msg) {
        err.println("qubesadmin.backup: " + msg);
        err.flush();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
