package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns the user name the JDK reports for a peer back into a uid. */
final class Uids {
    private Uids() {
    }

    /** A decimal name is the uid itself (no passwd entry); otherwise {@code /etc/passwd}; -1 if unknown. */
    static long of(String name) {
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && name.length() < 12) {
            return Long.parseLong(name);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[0].equals(name)) {
                    return Long.parseLong(f[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
