package org.qubicle.backup;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * One backed-up qube for {@link BackupWriter}: its name, its {@code backup-path} (as
 * qubes.xml states it, {@code vm<qid>/}) and its files. They are written in Qubes'
 * order whatever the map's order: volumes first (root before private), then
 * firewall.xml, notes.txt, anything else by name. A qube without files gets the 0-byte
 * placeholder {@code empty}, as Qubes writes it.
 *
 * @param qubeName the qube's name (for messages and results)
 * @param backupPath e.g. {@code vm3/}
 * @param files file name (e.g. {@code private.img}) to its source
 */
public record BackupEntry(String qubeName, String backupPath, Map<String, BackupSource> files) {
    private static final Pattern PATH = Pattern.compile("vm[0-9]+/");
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    public BackupEntry {
        if (qubeName == null || qubeName.isEmpty()) {
            throw new QubesValueError("backup entry without qube name");
        }
        if (backupPath == null || !PATH.matcher(backupPath).matches()) {
            throw new QubesValueError("invalid backup-path for " + qubeName + ": " + backupPath
                    + " (expected vm<qid>/)");
        }
        Set<String> seen = new HashSet<>();
        for (String f : files.keySet()) {
            if (!FILE.matcher(f).matches() || f.endsWith(".enc") || !seen.add(f)) {
                throw new QubesValueError("invalid backup file name for " + qubeName + ": " + f);
            }
        }
        if (files.isEmpty()) {
            files = Map.of("empty", BackupSource.bytes(new byte[0]));
        } else {
            LinkedHashMap<String, BackupSource> ordered = new LinkedHashMap<>();
            Map<String, BackupSource> given = files;
            given.keySet().stream().sorted(java.util.Comparator.comparingInt(BackupEntry::rank)
                    .thenComparing(java.util.Comparator.naturalOrder()))
                    .forEach(k -> ordered.put(k, given.get(k)));
            files = java.util.Collections.unmodifiableMap(ordered);
        }
    }

    /** Qubes' order: volumes (root before private), then firewall.xml, notes.txt, the rest. */
    private static int rank(String file) {
        return switch (file) {
            case "root.img" -> 0;
            case "private.img" -> 1;
            case "firewall.xml" -> 3;
            case "notes.txt" -> 4;
            default -> file.endsWith(".img") ? 2 : 5;
        };
    }

    /** The {@code backup-size} feature value Qubes declares: the sum of the files' sizes. */
    public long declaredSize() {
        long s = 0;
        for (BackupSource src : files.values()) {
            s += src.size();
        }
        return s;
    }
}
