package org.qubicle.daemon.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.QubesException;

/**
 * One backup profile, {@code $QUBES_ROOT/etc/qubes/backup/<name>.conf}, with upstream's
 * keys: {@code destination_vm}, {@code destination_path}, {@code include} (null: every
 * qube with {@code include_in_backups}), {@code exclude}, {@code passphrase_text} or
 * {@code passphrase_vm}, {@code compression} (true: gzip, false: none, or a filter name).
 *
 * @param name         the profile name
 * @param destVm       destination qube ({@code dom0}: a file on the host)
 * @param destPath     file or directory on dom0, or a path/command inside destVm
 * @param include      names, {@code @tag:T} or {@code @type:C}; empty when null in the file
 * @param exclude      the same forms, removed from the selection
 * @param passphrase   passphrase_text, if given
 * @param passphraseVm passphrase_vm, if given
 * @param compression  "gzip", "xz", "zstd" or "none"
 */
record BackupProfile(String name, String destVm, String destPath, Optional<List<String>> include,
        List<String> exclude, Optional<String> passphrase, Optional<String> passphraseVm, String compression) {
    BackupProfile {
        Objects.requireNonNull(name);
        Objects.requireNonNull(destVm);
        Objects.requireNonNull(destPath);
        include = include.map(List::copyOf);
        exclude = List.copyOf(exclude);
    }

    /** Loads {@code dir/<name>.conf}; a missing file is PermissionDenied, as qubesd says. */
    static BackupProfile load(Path dir, String name) {
        Path file = dir.resolve(name + ".conf");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new PermissionDenied("Backup profile " + name + " does not exist");
        }
        String text;
        try {
            if (Files.size(file) > ProfileYaml.MAX_BYTES) {
                throw new QubesException("Invalid backup profile - too large");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new QubesException("Cannot read backup profile " + name + ": " + e.getMessage());
        }
        return parse(name, text);
    }

    static BackupProfile parse(String name, String untrustedText) {
        Map<String, Object> m = ProfileYaml.parse(untrustedText);
        String destVm = string(m, "destination_vm", true);
        String destPath = string(m, "destination_path", true);
        if (!m.containsKey("include")) {
            throw new QubesException("Invalid backup profile - missing 'include'");
        }
        Optional<List<String>> include = Optional.ofNullable(list(m, "include")).map(BackupProfile::keywords);
        List<String> exclude = Optional.ofNullable(list(m, "exclude")).map(BackupProfile::keywords).orElse(List.of());
        Object c = m.getOrDefault("compression", Boolean.TRUE);
        String compression = switch (c) {
            case null -> "none";
            case Boolean b -> b ? "gzip" : "none";
            case String s when s.equals("gzip") || s.equals("xz") || s.equals("zstd") -> s;
            case String s when s.equals("none") || s.isEmpty() -> "none";
            default -> throw new QubesException("Invalid backup profile - unsupported compression: " + c
                    + " (gzip, zstd, xz or none)");
        };
        return new BackupProfile(name, destVm, destPath, include, exclude,
                Optional.ofNullable(string(m, "passphrase_text", false)),
                Optional.ofNullable(string(m, "passphrase_vm", false)), compression);
    }

    private static String string(Map<String, Object> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw new QubesException("Invalid backup profile - missing '" + key + "'");
            }
            return null;
        }
        if (v instanceof List<?>) {
            throw new QubesException("Invalid backup profile - " + key + " must be a string");
        }
        return v instanceof Boolean b ? (b ? "True" : "False") : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?>)) {
            throw new QubesException("Invalid backup profile - " + key + " must be a list");
        }
        return (List<String>) v;
    }

    /** Upstream's conversion of old keywords ({@code $tag:x}) to new ones ({@code @tag:x}). */
    private static List<String> keywords(List<String> names) {
        return names.stream().map(n -> n.replace('$', '@')).toList();
    }
}
