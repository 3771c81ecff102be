package org.qubicle.backup.tar;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qubicle.backup.BackupCorruptedError;

/** Parses and formats PAX extended header records: {@code "<len> <key>=<value>\n"}. */
final class PaxHeaders {
    /** A pax header bigger than this is refused (ours are a few hundred bytes). */
    static final int MAX_SIZE = 64 * 1024;

    private PaxHeaders() {}

    static Map<String, String> parse(byte[] untrusted, int len, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        int pos = 0;
        while (pos < len) {
            if (untrusted[pos] == 0) {
                break; // NUL padding
            }
            int sp = pos;
            long recLen = 0;
            while (sp < len && untrusted[sp] >= '0' && untrusted[sp] <= '9' && sp - pos < 8) {
                recLen = recLen * 10 + (untrusted[sp] - '0');
                sp++;
            }
            if (sp >= len || untrusted[sp] != ' ' || recLen <= sp - pos + 1 || pos + recLen > len
                    || untrusted[(int) (pos + recLen - 1)] != '\n') {
                throw new BackupCorruptedError(where + ": malformed pax header record");
            }
            String rec = new String(untrusted, sp + 1, (int) (pos + recLen - 1 - (sp + 1)), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq <= 0) {
                throw new BackupCorruptedError(where + ": malformed pax header record");
            }
            out.put(rec.substring(0, eq), rec.substring(eq + 1));
            pos += (int) recLen;
        }
        return out;
    }

    static byte[] format(Map<String, String> records) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : records.entrySet()) {
            String body = " " + e.getKey() + "=" + e.getValue() + "\n";
            int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
            int len = bodyLen + 1;
            while (len != bodyLen + Integer.toString(len).length()) {
                len = bodyLen + Integer.toString(len).length();
            }
            sb.append(len).append(body);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static long number(Map<String, String> pax, String key, String where) {
        String v = pax.get(key);
        if (v == null || v.isEmpty() || v.length() > 19 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BackupCorruptedError(where + ": invalid pax value for " + key);
        }
        return Long.parseLong(v);
    }
}
