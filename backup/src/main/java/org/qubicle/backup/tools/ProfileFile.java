package org.qubicle.backup.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Writes a backup profile as qvm-backup does before calling {@code admin.backup.Execute}:
 * YAML with upstream's keys, mode 0600 (it may hold the passphrase).
 */
final class ProfileFile {
    private ProfileFile() {
    }

    static Path write(Path dir, String name, String destVm, String destPath, List<String> include,
            List<String> exclude, String passphrase, String compression) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("destination_vm: ").append(quote(destVm)).append('\n');
        sb.append("destination_path: ").append(quote(destPath)).append('\n');
        if (include == null) {
            sb.append("include: null\n");
        } else {
            sb.append("include:\n");
            include.forEach(i -> sb.append("- ").append(quote(i)).append('\n'));
        }
        sb.append("exclude:").append(exclude.isEmpty() ? " []\n" : "\n");
        exclude.forEach(i -> sb.append("- ").append(quote(i)).append('\n'));
        if (passphrase != null) {
            sb.append("passphrase_text: ").append(quote(passphrase)).append('\n');
        }
        sb.append("compression: ").append(quote(compression)).append('\n');
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".conf");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
