package org.qubicle.backup.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.qubicle.backup.BackupCorruptedError;
import org.qubicle.model.exc.QubesValueError;

/**
 * The Tarsnap {@code scrypt enc} container, "scrypt data file version 0":
 *
 * <pre>
 *  0   6  "scrypt"
 *  6   1  0 (version)
 *  7   1  logN
 *  8   4  r (big-endian)
 * 12   4  p (big-endian)
 * 16  32  salt
 * 48  16  SHA-256(bytes 0..47)[0..16)
 * 64  32  HMAC-SHA256(key_hmac, bytes 0..63)
 * 96   n  plaintext XOR AES-256-CTR(key_enc, counter from 0)
 * 96+n 32 HMAC-SHA256(key_hmac, bytes 0..96+n)
 * key_enc || key_hmac = scrypt(password, salt, N, r, p, 64)
 * </pre>
 *
 * Both directions work in place on one array laid out as above, so a 100 MiB chunk
 * is never copied: the writer compresses into {@code buf[96..]}, {@link #seal} fills
 * the header and trailer around it; the reader reads the whole container into a buffer
 * and {@link #open} authenticates all of it before decrypting anything, unlike the
 * CLI, which passes plaintext on before it checks the trailing HMAC.
 */
public final class ScryptContainer {
    /** Header bytes before the payload. */
    public static final int HEADER = 96;
    /** Trailer bytes after the payload. */
    public static final int TRAILER = 32;
    /** Total overhead of a container. */
    public static final int OVERHEAD = HEADER + TRAILER;

    private static final byte[] MAGIC = "scrypt".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScryptContainer() {}

    /** The two derived keys; derive once per container. */
    public record Keys(byte[] salt, ScryptParams params, byte[] encKey, byte[] hmacKey) {}

    /** Derives fresh keys with a random salt: the expensive part, done ahead of the data. */
    public static Keys deriveNew(byte[] password, ScryptParams params) {
        byte[] salt = new byte[32];
        RANDOM.nextBytes(salt);
        return derive(password, salt, params);
    }

    static Keys derive(byte[] password, byte[] salt, ScryptParams params) {
        byte[] dk = Scrypt.derive(password, salt, params.logN(), params.r(), params.p(), 64);
        Keys keys = new Keys(salt, params, Arrays.copyOfRange(dk, 0, 32), Arrays.copyOfRange(dk, 32, 64));
        Arrays.fill(dk, (byte) 0);
        return keys;
    }

    /**
     * Encrypts {@code buf[96 .. 96+n)} in place and writes header and trailer, so that
     * {@code buf[0 .. 96+n+32)} is the container. {@code buf} must have room for the trailer.
     */
    public static void seal(Keys keys, byte[] buf, int n) {
        if (buf.length < n + OVERHEAD) {
            throw new IllegalArgumentException("buffer too small");
        }
        System.arraycopy(MAGIC, 0, buf, 0, 6);
        buf[6] = 0;
        buf[7] = (byte) keys.params().logN();
        putInt(buf, 8, keys.params().r());
        putInt(buf, 12, keys.params().p());
        System.arraycopy(keys.salt(), 0, buf, 16, 32);
        System.arraycopy(sha256(buf, 0, 48), 0, buf, 48, 16);
        try {
            Mac mac = hmac(keys.hmacKey());
            mac.update(buf, 0, 64);
            mac.doFinal(buf, 64);
            crypt(ctr(keys.encKey()), buf, HEADER, n);
            update(mac, buf, 0, HEADER + n);
            mac.doFinal(buf, HEADER + n);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK crypto unavailable", e);
        }
    }

    /** Encrypts {@code plain} into a new container (small files: header copy, qubes.xml). */
    public static byte[] encrypt(byte[] password, ScryptParams params, byte[] plain) {
        byte[] buf = new byte[plain.length + OVERHEAD];
        System.arraycopy(plain, 0, buf, HEADER, plain.length);
        seal(deriveNew(password, params), buf, plain.length);
        return buf;
    }

    /**
     * Reads the cost parameters of a container after checking its magic and header
     * checksum, so that a caller can refuse or budget the KDF's memory before running it.
     */
    public static ScryptParams params(byte[] untrustedBuf, int len, String what) {
        if (len < OVERHEAD) {
            throw new BackupCorruptedError(what + ": input is not valid scrypt-encrypted block (too short)");
        }
        for (int i = 0; i < 6; i++) {
            if (untrustedBuf[i] != MAGIC[i]) {
                throw new BackupCorruptedError(what + ": input is not valid scrypt-encrypted block (bad magic)");
            }
        }
        if (untrustedBuf[6] != 0) {
            throw new BackupCorruptedError(what + ": unsupported scrypt format version " + untrustedBuf[6]);
        }
        byte[] sum = sha256(untrustedBuf, 0, 48);
        if (!MessageDigest.isEqual(Arrays.copyOf(sum, 16), Arrays.copyOfRange(untrustedBuf, 48, 64))) {
            throw new BackupCorruptedError(what + ": input is not valid scrypt-encrypted block (header checksum)");
        }
        int logN = untrustedBuf[7] & 0xff;
        long r = getInt(untrustedBuf, 8) & 0xffffffffL;
        long p = getInt(untrustedBuf, 12) & 0xffffffffL;
        if (logN < 1 || logN > 30 || r < 1 || p < 1 || r * p >= (1L << 30) || r > Integer.MAX_VALUE) {
            throw new BackupCorruptedError(what + ": scrypt parameters out of range (logN "
                    + logN + ", r " + r + ", p " + p + ")");
        }
        return new ScryptParams(logN, (int) r, (int) p);
    }

    /**
     * Authenticates the container {@code buf[0..len)} completely, then decrypts its
     * payload in place to {@code buf[96 .. len-32)}. Returns the payload length.
     */
    public static int open(byte[] password, byte[] untrustedBuf, int len, long maxKdfMemory, String what) {
        ScryptParams params = params(untrustedBuf, len, what);
        if (params.memoryBytes() > maxKdfMemory) {
            throw new BackupCorruptedError(what + ": scrypt parameters need " + (params.memoryBytes() >> 20)
                    + " MiB of memory, more than the " + (maxKdfMemory >> 20)
                    + " MiB allowed (start the JVM with a larger -Xmx)");
        }
        Keys keys = derive(password, Arrays.copyOfRange(untrustedBuf, 16, 48), params);
        try {
            Mac mac = hmac(keys.hmacKey());
            mac.update(untrustedBuf, 0, 64);
            if (!MessageDigest.isEqual(mac.doFinal(), Arrays.copyOfRange(untrustedBuf, 64, 96))) {
                throw new BackupCorruptedError(what + ": passphrase is incorrect (or the chunk belongs"
                        + " to another file or backup)");
            }
            int n = len - OVERHEAD;
            update(mac, untrustedBuf, 0, HEADER + n);
            if (!MessageDigest.isEqual(mac.doFinal(), Arrays.copyOfRange(untrustedBuf, HEADER + n, len))) {
                throw new BackupCorruptedError(what + ": input is not valid scrypt-encrypted block"
                        + " (HMAC mismatch: data altered or truncated)");
            }
            crypt(ctr(keys.encKey()), untrustedBuf, HEADER, n);
            return n;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK crypto unavailable", e);
        }
    }

    /** Decrypts a whole small container into a new array. */
    public static byte[] decrypt(byte[] password, byte[] untrustedContainer, long maxKdfMemory, String what) {
        byte[] buf = untrustedContainer.clone();
        int n = open(password, buf, buf.length, maxKdfMemory, what);
        return Arrays.copyOfRange(buf, HEADER, HEADER + n);
    }

    /** UTF-8 bytes of a key string, refusing what the scrypt CLI could not read back. */
    public static byte[] keyBytes(String keyString) {
        for (int i = 0; i < keyString.length(); i++) {
            char c = keyString.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                throw new QubesValueError("passphrase must not contain CR, LF or NUL");
            }
        }
        byte[] b = keyString.getBytes(StandardCharsets.UTF_8);
        if (b.length > 2047) {
            // The CLI reads the key with a 2048-byte fgets buffer and would cut it.
            throw new QubesValueError("passphrase too long: the scrypt key string must stay under 2047 bytes");
        }
        return b;
    }

    /**
     * The JDK's AES-CTR and SHA-256 bulk loops are intrinsics only once C2 has compiled
     * them, which takes many calls: one call over 100 MiB runs the slow Java loop
     * (~100 MB/s here), 16 KiB pieces reach the AES-NI/SHA-NI code (GB/s).
     */
    private static final int PIECE = 16 * 1024;

    /**
     * In place, through one piece-sized buffer: given the same array as input and output,
     * the JDK's cipher copies the input first, a new array per piece (100 MiB of garbage
     * per chunk).
     */
    private static void crypt(Cipher c, byte[] b, int off, int len) throws GeneralSecurityException {
        byte[] piece = new byte[PIECE];
        for (int o = off, end = off + len; o < end; o += PIECE) {
            int n = Math.min(PIECE, end - o);
            if (c.update(b, o, n, piece, 0) != n) {
                throw new IllegalStateException("AES-CTR returned a short block");
            }
            System.arraycopy(piece, 0, b, o, n);
        }
    }

    private static void update(Mac mac, byte[] b, int off, int len) {
        for (int o = off, end = off + len; o < end; o += PIECE) {
            mac.update(b, o, Math.min(PIECE, end - o));
        }
    }

    private static Mac hmac(byte[] key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac;
    }

    private static Cipher ctr(byte[] key) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        return c;
    }

    private static byte[] sha256(byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, off, len);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
