package org.qubicle.daemon.backup;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;

/**
 * The {@code admin.backup.Info} text, shaped as qubes.backup's {@code get_backup_summary}:
 * a table of VM, type and size, the total, and the qubes not selected.
 */
final class BackupSummary {
    private static final int[] WIDTH = {16, 12, 12};

    private BackupSummary() {
    }

    /** One selected qube and the bytes it will contribute. */
    record Line(Qube qube, long size) {
    }

    /** Runs holding the system lock. */
    static String format(Qubes app, List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        rule(sb);
        sb.append(cell("VM", 0)).append(cell("type", 1)).append(cell("size", 2)).append('\n');
        rule(sb);
        long total = 0;
        Set<String> selected = new TreeSet<>();
        for (Line l : lines) {
            Qube q = l.qube();
            selected.add(q.name());
            total += l.size();
            String type = q.klass() == QubeClass.TEMPLATE_VM ? "Template VM"
                    : "VM" + (q.boolProperty("updateable") ? " + Sys" : "");
            sb.append(cell(q.name(), 0)).append(cell(type, 1)).append(cell(human(l.size()), 2));
            if (q.powerState().isStarted()) {
                sb.append(" <-- running: its volumes are backed up from a snapshot taken now");
            }
            sb.append('\n');
        }
        rule(sb);
        sb.append(cell("Total size:", 0));
        sb.append(String.format(Locale.ROOT, "%" + (WIDTH[1] + 1 + 2 + WIDTH[2] + 1) + "s |", human(total)));
        sb.append('\n');
        rule(sb);
        Set<String> rest = new TreeSet<>();
        for (Qube q : app.qubes()) {
            if (!selected.contains(q.name())) {
                rest.add(q.name());
            }
        }
        sb.append("VMs not selected for backup:\n");
        for (String n : rest) {
            sb.append(" - ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static void rule(StringBuilder sb) {
        for (int w : WIDTH) {
            sb.append("-".repeat(w + 1)).append("-+");
        }
        sb.append('\n');
    }

    private static String cell(String text, int col) {
        return String.format(Locale.ROOT, "%" + (WIDTH[col] + 1) + "s |", text);
    }

    /** qubes.utils.size_to_human. */
    static String human(long size) {
        if (size < 1024) {
            return Long.toString(size);
        } else if (size < 1024 * 1024) {
            return round(size / 1024.0) + " KiB";
        } else if (size < 1024L * 1024 * 1024) {
            return round(size / (1024.0 * 1024)) + " MiB";
        }
        return round(size / (1024.0 * 1024 * 1024)) + " GiB";
    }

    private static String round(double v) {
        return Double.toString(Math.round(v * 10) / 10.0);
    }
}
