package org.qubicle.backup.tools;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.backup.Passphrase;
import org.qubicle.model.exc.QubesException;

/** The backup passphrase from {@code --passphrase-file} (or {@code -}: standard input) or the terminal. */
final class PassphraseInput {
    private PassphraseInput() {
    }

    /**
     * @param file   the option's value, or null to ask on the terminal
     * @param twice  ask twice and compare (for a new backup)
     */
    static Passphrase read(String file, boolean twice, InputStream stdin) throws IOException {
        if (file != null) {
            String line;
            if (file.equals("-")) {
                line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            } else {
                try (BufferedReader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                    line = r.readLine();
                }
            }
            if (line == null) {
                throw new QubesException("Empty passphrase file");
            }
            return new Passphrase(line);
        }
        Console console = System.console();
        if (console == null) {
            throw new QubesException("No terminal to ask for the passphrase; use --passphrase-file");
        }
        char[] first = console.readPassword(twice
                ? "Please enter the passphrase that will be used to encrypt and verify the backup: "
                : "Please enter the passphrase to verify and (if encrypted) decrypt the backup: ");
        if (first == null) {
            throw new QubesException("No passphrase given");
        }
        if (twice) {
            char[] again = console.readPassword("Enter again for verification: ");
            if (again == null || !new String(first).equals(new String(again))) {
                throw new QubesException("Passphrase mismatch");
            }
        }
        return new Passphrase(new String(first));
    }
}
