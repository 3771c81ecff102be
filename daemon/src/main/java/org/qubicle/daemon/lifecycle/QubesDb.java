package org.qubicle.daemon.lifecycle;

import java.security.SecureRandom;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.qubicle.model.Qube;

/**
 * The QubesDB of one running qube: the entries qubesd writes at start
 * ({@code create_qdb_entries} in qubes-core-admin's {@code qubesvm.py}) before it fires
 * {@code domain-qdb-create}. Handlers of that event (network wiring, qrexec) add their own
 * entries. Kept in the daemon for the qube's run; there is no {@code qubesdb-daemon} inside
 * the qube yet (docs/lifecycle.md).
 */
public final class QubesDb {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Entries are short strings; a cap keeps a runaway writer from growing the daemon. */
    static final int MAX_ENTRIES = 4096;
    static final int MAX_VALUE = 3072;

    private final SortedMap<String, String> entries = new TreeMap<>();

    /** The entries Qubes writes for every qube (network entries come from the network code). */
    static QubesDb forQube(Qube q) {
        QubesDb db = new QubesDb();
        db.write("/name", q.name());
        db.write("/type", q.klass().wireName());
        db.write("/default-user", q.get("default_user").text());
        boolean updateable = q.boolProperty("updateable");
        db.write("/qubes-vm-updateable", updateable ? "True" : "False");
        db.write("/qubes-vm-persistence", updateable ? "full" : "rw-only");
        db.write("/qubes-debug-mode", q.boolProperty("debug") ? "1" : "0");
        db.write("/qubes-base-template", q.template().map(Qube::name).orElse(""));
        byte[] seed = new byte[64];
        RANDOM.nextBytes(seed);
        db.write("/qubes-random-seed", Base64.getEncoder().encodeToString(seed));
        if (!q.features().checkWithTemplate("anon-timezone").map(QubesDb::truthy).orElse(false)) {
            db.write("/qubes-timezone", ZoneId.systemDefault().getId());
        }
        db.write("/qubes-block-devices", "");
        db.write("/qubes-usb-devices", "");
        return db;
    }

    private static boolean truthy(String v) {
        return !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** Writes one entry; paths are absolute, values capped as qubesdb caps them. */
    public synchronized void write(String path, String value) {
        if (!path.startsWith("/") || path.length() > 64 || value.length() > MAX_VALUE) {
            throw new IllegalArgumentException("bad QubesDB entry " + path);
        }
        if (!entries.containsKey(path) && entries.size() >= MAX_ENTRIES) {
            throw new IllegalStateException("QubesDB full");
        }
        entries.put(path, value);
    }

    public synchronized void remove(String path) {
        entries.remove(path);
    }

    public synchronized SortedMap<String, String> entries() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }
}
