package org.qubicle.backup.tools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.qubicle.backup.xml.BackupQube;
import org.qubicle.model.exc.QubesException;

/**
 * What a restore will do with each qube of a backup, decided before anything is created
 * (qubesadmin's {@code get_restore_info}): its new name, its template and netvm resolved
 * against the host and the backup, or why it is skipped. Problems that would need a
 * choice (a missing template or netvm) stop the restore unless {@code --skip-broken} or
 * {@code --ignore-missing} says what to do.
 */
final class RestorePlan {
    /** Options that shape the plan. */
    record Options(List<String> only, List<String> exclude, boolean renameConflicting, boolean skipBroken,
            boolean ignoreMissing) {
    }

    /** One qube of the backup. {@code netvm}: null keeps the default, "" is none. */
    static final class Item {
        final BackupQube source;
        String name;
        String template;
        String netvm;
        String skip;
        final List<String> notes = new ArrayList<>();

        Item(BackupQube source) {
            this.source = source;
            this.name = source.name();
        }

        boolean restored() {
            return skip == null;
        }
    }

    private final Map<String, Item> items = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private RestorePlan() {
    }

    /**
     * @param backedUp    the backup's qubes with content
     * @param hostQubes   host qube name to class
     * @param defaultTemplate the host's default_template ("" when none)
     */
    static RestorePlan make(List<BackupQube> backedUp, Map<String, String> hostQubes, String defaultTemplate,
            String defaultDispvm, Options opts) {
        RestorePlan plan = new RestorePlan();
        Set<String> inBackup = new HashSet<>();
        for (BackupQube q : backedUp) {
            inBackup.add(q.name());
        }
        for (String n : opts.only()) {
            if (!inBackup.contains(n)) {
                throw new QubesException("VM " + n + " not found in the backup");
            }
        }
        for (BackupQube q : backedUp) {
            Item it = new Item(q);
            plan.items.put(q.name(), it);
            if (q.klass().equals("AdminVM")) {
                it.skip = "dom0 home is not restored";
            } else if (!opts.only().isEmpty() && !opts.only().contains(q.name())) {
                it.skip = "not selected";
            } else if (opts.exclude().contains(q.name())) {
                it.skip = "excluded";
            }
        }
        // Names: a clash is renamed or skipped.
        Set<String> taken = new HashSet<>(hostQubes.keySet());
        for (Item it : plan.items.values()) {
            if (!it.restored()) {
                continue;
            }
            if (hostQubes.containsKey(it.name)) {
                if (opts.renameConflicting()) {
                    String n = newName(it.name, taken);
                    if (n == null) {
                        it.skip = "already exists (no free name)";
                        continue;
                    }
                    it.notes.add("renamed from " + it.name);
                    it.name = n;
                } else {
                    it.skip = "already exists on the host";
                    continue;
                }
            }
            taken.add(it.name);
        }
        // Templates and netvms; a skip can break another qube, so repeat until stable.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Item it : plan.items.values()) {
                if (!it.restored()) {
                    continue;
                }
                String before = it.skip;
                plan.resolve(it, hostQubes, defaultTemplate, defaultDispvm, opts);
                changed |= before != it.skip;
            }
        }
        return plan;
    }

    private void resolve(Item it, Map<String, String> host, String defaultTemplate, String defaultDispvm,
            Options opts) {
        it.notes.removeIf(n -> n.startsWith("missing"));
        BackupQube q = it.source;
        boolean needsTemplate = q.klass().equals("AppVM") || q.klass().equals("DispVM");
        if (needsTemplate) {
            String t = q.template();
            String resolved = ref(t, host);
            if (resolved == null) {
                String fallback = q.klass().equals("DispVM") ? defaultDispvm : defaultTemplate;
                if (opts.ignoreMissing() && fallback != null && !fallback.isEmpty()) {
                    it.notes.add("missing template " + t + ": using " + fallback);
                    resolved = fallback;
                } else if (opts.skipBroken()) {
                    it.skip = "missing template " + t;
                    return;
                } else {
                    it.notes.add("missing template " + t);
                }
            }
            it.template = resolved;
        }
        String n = q.netvm();
        if (n == null || n.isEmpty()) {
            it.netvm = n;
        } else {
            String resolved = ref(n, host);
            if (resolved == null) {
                if (opts.ignoreMissing()) {
                    it.notes.add("missing netvm " + n + ": using the default");
                } else if (opts.skipBroken()) {
                    it.skip = "missing netvm " + n;
                    return;
                } else {
                    it.notes.add("missing netvm " + n);
                }
            }
            it.netvm = resolved;
        }
    }

    /** A qube the restored one refers to: restored from the backup (maybe renamed), else on the host. */
    String ref(String name, Map<String, String> host) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        Item other = items.get(name);
        if (other != null && other.restored()) {
            return other.name;
        }
        return host.containsKey(name) ? name : null;
    }

    /** qubesadmin's generate_new_name_for_conflicting_vm: name1 .. name99, the base cut to 29 chars. */
    static String newName(String orig, Set<String> taken) {
        String base = orig.length() > 29 ? orig.substring(0, 29) : orig;
        for (int i = 1; i < 100; i++) {
            String n = base + i;
            if (!taken.contains(n)) {
                return n;
            }
        }
        return null;
    }

    /** The qubes that will be restored, templates first so that others can use them. */
    List<Item> restoring() {
        List<Item> out = new ArrayList<>();
        for (Item it : items.values()) {
            if (it.restored()) {
                out.add(it);
            }
        }
        out.sort(Comparator.comparingInt((Item it) -> rank(it.source.klass())));
        return out;
    }

    private static int rank(String klass) {
        return switch (klass) {
            case "TemplateVM" -> 0;
            case "StandaloneVM" -> 1;
            case "AppVM" -> 2;
            default -> 3;
        };
    }

    /** Unresolved problems: a restore refuses to start with any. */
    List<String> problems() {
        List<String> out = new ArrayList<>(problems);
        for (Item it : restoring()) {
            for (String n : it.notes) {
                if (n.startsWith("missing") && !n.contains(": using")) {
                    out.add(it.source.name() + ": " + n);
                }
            }
        }
        return out;
    }

    Map<String, Item> items() {
        return items;
    }

    /** The table qvm-backup-restore prints before it starts. */
    String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", "type", "template", "netvm", "action"});
        for (Item it : items.values()) {
            BackupQube q = it.source;
            String netvm = it.netvm == null ? "(default)" : it.netvm.isEmpty() ? "-" : it.netvm;
            String action = it.restored() ? (it.notes.isEmpty() ? "restore" : "restore; " + String.join("; ", it.notes))
                    : "skip: " + it.skip;
            rows.add(new String[] {it.restored() ? it.name : q.name(), q.klass(),
                it.template == null ? (q.template() == null ? "-" : q.template()) : it.template, netvm, action});
        }
        int[] w = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("The following VMs are included in the backup:\n");
        for (int ri = 0; ri < rows.size(); ri++) {
            String[] r = rows.get(ri);
            for (int i = 0; i < 5; i++) {
                sb.append(String.format(Locale.ROOT, i == 4 ? "%s" : "%-" + w[i] + "s | ", r[i]));
            }
            sb.append('\n');
            if (ri == 0) {
                sb.append("-".repeat(w[0] + w[1] + w[2] + w[3] + 12 + w[4])).append('\n');
            }
        }
        return sb.toString();
    }
}
