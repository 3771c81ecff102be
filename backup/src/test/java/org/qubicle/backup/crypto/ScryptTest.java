package org.qubicle.backup.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.SCrypt;
import org.junit.jupiter.api.Test;
import org.qubicle.backup.BackupCorruptedError;

class ScryptTest {
    @Test
    void rfc7914Vectors() {
        assertEquals("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
                HexFormat.of().formatHex(Scrypt.derive(bytes("pleaseletmein"), bytes("SodiumChloride"), 14, 8, 1, 64)));
        assertEquals("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
                HexFormat.of().formatHex(Scrypt.derive(bytes("password"), bytes("NaCl"), 10, 8, 16, 64)));
    }

    @Test
    void agreesWithBouncyCastle() {
        for (int r : new int[] {1, 3, 8}) {
            byte[] pw = bytes("20250101T120000-4242!vm3/private.img.000!pass " + r);
            byte[] salt = new byte[32];
            salt[3] = (byte) r;
            assertArrayEquals(SCrypt.generate(pw, salt, 1 << 12, r, 2, 64), Scrypt.derive(pw, salt, 12, r, 2, 64));
        }
    }

    @Test
    void containerRoundTripAndTamperChecks() {
        byte[] key = bytes("backup-header!secret");
        byte[] plain = bytes("version=4\n");
        byte[] c = ScryptContainer.encrypt(key, ScryptParams.FAST, plain);
        assertEquals(plain.length + 128, c.length);
        assertArrayEquals(plain, ScryptContainer.decrypt(key, c, 1L << 30, "t"));
        assertThrows(BackupCorruptedError.class, () -> ScryptContainer.decrypt(bytes("backup-header!wrong"), c,
                1L << 30, "t"));
        assertThrows(BackupCorruptedError.class, () -> ScryptContainer.decrypt(key, c, 1L << 20, "t"));
        byte[] empty = ScryptContainer.encrypt(key, ScryptParams.FAST, new byte[0]);
        assertEquals(128, empty.length);
        assertEquals(0, ScryptContainer.decrypt(key, empty, 1L << 30, "t").length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
