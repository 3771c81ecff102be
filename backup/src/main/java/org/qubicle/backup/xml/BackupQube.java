package org.qubicle.backup.xml;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One domain of the qubes.xml stored in a backup, as much as a listing or a restore
 * needs. {@code backupPath} and {@code backupSize} are set only for qubes whose files
 * are in the backup ({@code backupContent}).
 *
 * @param name qube name ("dom0" for the AdminVM)
 * @param klass AdminVM, AppVM, TemplateVM, StandaloneVM or DispVM (not checked here)
 * @param label label name, resolved from a label id if needed
 * @param template template name or null
 * @param netvm netvm name, "" for explicitly none, or null when not set (default)
 * @param backupContent whether the backup holds this qube's files
 * @param backupPath e.g. {@code vm3/}, or {@code dom0-home/user}; null unless backupContent
 * @param backupSize declared size in bytes; -1 when absent
 * @param properties all properties as stored
 * @param features all features except backup-content/path/size
 * @param tags tags
 */
public record BackupQube(String name, String klass, String label, String template, String netvm,
        boolean backupContent, String backupPath, long backupSize,
        Map<String, String> properties, Map<String, String> features, List<String> tags) {
    public BackupQube {
        Objects.requireNonNull(name);
        Objects.requireNonNull(klass);
        properties = Map.copyOf(properties);
        features = Map.copyOf(features);
        tags = List.copyOf(tags);
    }
}
