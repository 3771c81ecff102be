package org.qubicle.qrexec.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Run with the launcher's export of sun.security.jca (qrexec/pom.xml), as the tools run. */
class UrandomProviderTest {
    @Test
    void theFirstSocketsGeneratorComesFromUrandomOnlyWhileOpening() throws Exception {
        SecureRandom inside = UrandomProvider.whileOpening(() -> {
            try {
                return SecureRandom.getInstance("NativePRNGNonBlocking");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
        });
        assertEquals("QubicleUrandom", inside.getProvider().getName());
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        inside.nextBytes(a);
        inside.nextBytes(b);
        assertFalse(Arrays.equals(a, new byte[32]), "all zero bytes");
        assertFalse(Arrays.equals(a, b), "the same bytes twice");
        assertEquals(16, inside.generateSeed(16).length);
        // Afterwards this thread sees the JDK's providers again.
        assertEquals("SUN", SecureRandom.getInstance("NativePRNGNonBlocking").getProvider().getName());
    }

    @Test
    void theJdksProvidersComeBackWhenTheActionFails() throws Exception {
        assertThrows(IOException.class, () -> UrandomProvider.whileOpening(() -> {
            throw new IOException("no socket");
        }));
        assertEquals("SUN", SecureRandom.getInstance("NativePRNGNonBlocking").getProvider().getName());
    }
}
