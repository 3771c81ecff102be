package org.qubicle.backup;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * The clear-text {@code backup-header} of a v4 backup:
 *
 * <pre>
 * version=4
 * encrypted=True
 * compressed=True
 * compression-filter=gzip
 * hmac-algorithm=scrypt
 * backup-id=20230405T123455-1234
 * </pre>
 *
 * Parsed as qubesadmin's {@code BackupHeader.load} does: ASCII, one {@code =} per line,
 * keys and values {@code [A-Za-z0-9-]*}, unknown keys ignored, repeated keys refused.
 *
 * @param version format version (only 4 is read)
 * @param compressed whether the inner tars are compressed
 * @param compressionFilter the filter program's name
 * @param backupId the id that goes into every chunk key
 */
public record BackupHeader(int version, boolean compressed, String compressionFilter, String backupId) {
    /** {@code backup-header} is refused past this size (Qubes caps the .hmac at 4096 bytes). */
    public static final int MAX_SIZE = 4096;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9-]*");

    public BackupHeader {
        if (version != 4) {
            throw new BackupCorruptedError("unsupported backup version " + version + " (only 4 is supported)");
        }
        if (backupId == null || backupId.isEmpty() || backupId.startsWith("-") || !TOKEN.matcher(backupId).matches()) {
            throw new QubesValueError("invalid backup-id: " + backupId);
        }
        if (compressionFilter == null || compressionFilter.isEmpty() || !TOKEN.matcher(compressionFilter).matches()) {
            throw new QubesValueError("invalid compression-filter: " + compressionFilter);
        }
    }

    /** The exact bytes Qubes writes, in its key order. */
    public byte[] toBytes() {
        String s = "version=" + version + "\n"
                + "encrypted=True\n"
                + "compressed=" + (compressed ? "True" : "False") + "\n"
                + "compression-filter=" + compressionFilter + "\n"
                + "hmac-algorithm=scrypt\n"
                + "backup-id=" + backupId + "\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses header bytes, already authenticated by the caller. */
    public static BackupHeader parse(byte[] untrusted) {
        if (untrusted.length > MAX_SIZE) {
            throw new BackupCorruptedError("backup header too large (" + untrusted.length + " bytes)");
        }
        for (byte b : untrusted) {
            if (b < 0) {
                throw new BackupCorruptedError("Non-ASCII characters in backup header");
            }
        }
        String text = new String(untrusted, StandardCharsets.US_ASCII);
        Map<String, String> kv = new LinkedHashMap<>();
        // Python splitlines(): \n, \r, \r\n and a few control characters end lines.
        for (String line : text.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e]")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] kvp = line.split("=", -1);
            if (kvp.length != 2 || !TOKEN.matcher(kvp[0]).matches() || !TOKEN.matcher(kvp[1]).matches()) {
                throw new BackupCorruptedError("Invalid backup header (line '" + line + "')");
            }
            if (kv.put(kvp[0], kvp[1]) != null) {
                throw new BackupCorruptedError("Invalid backup header (duplicated key " + kvp[0] + ")");
            }
        }
        for (String key : new String[] {"version", "encrypted", "compressed", "hmac-algorithm", "backup-id"}) {
            if (!kv.containsKey(key)) {
                throw new BackupCorruptedError("Invalid backup header: missing " + key);
            }
        }
        int version;
        try {
            version = Integer.parseInt(kv.get("version"));
        } catch (NumberFormatException e) {
            throw new BackupCorruptedError("Invalid backup header: version " + kv.get("version"));
        }
        if (!"scrypt".equals(kv.get("hmac-algorithm"))) {
            throw new BackupCorruptedError("unsupported hmac-algorithm for version 4: " + kv.get("hmac-algorithm"));
        }
        boolean compressed = bool(kv.get("compressed"));
        String filter = kv.get("compression-filter");
        if (compressed && (filter == null || filter.isEmpty())) {
            throw new BackupCorruptedError("Invalid backup header: missing compression-filter");
        }
        try {
            return new BackupHeader(version, compressed, filter == null || filter.isEmpty() ? "gzip" : filter,
                    kv.get("backup-id"));
        } catch (QubesValueError e) {
            throw new BackupCorruptedError("Invalid backup header: " + e.getMessage());
        }
    }

    private static boolean bool(String v) {
        String l = v.toLowerCase(Locale.ROOT);
        return l.equals("1") || l.equals("true") || l.equals("yes");
    }
}
