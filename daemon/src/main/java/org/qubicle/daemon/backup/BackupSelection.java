package org.qubicle.daemon.backup;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesVMNotFoundError;

/**
 * Which qubes a profile backs up, as qubes.backup picks them: the {@code include} list
 * (names, {@code @tag:T}, {@code @type:CLASS}) or, when it is null, every qube whose
 * {@code include_in_backups} is true; minus {@code exclude}. Order: the system's (by
 * name), which is the order the qubes' files appear in the archive.
 *
 * <p>Deviation: dom0's home directory is never backed up (Qubicle's admin side has no
 * user home of its own), so dom0 is dropped from every selection.
 */
final class BackupSelection {
    private BackupSelection() {
    }

    /** Runs holding the system lock. */
    static List<Qube> select(Qubes app, BackupProfile profile) {
        Set<Qube> chosen = new LinkedHashSet<>();
        if (profile.include().isPresent()) {
            for (String name : profile.include().get()) {
                List<Qube> matched = matching(app, name);
                if (matched.isEmpty() && !name.startsWith("@")) {
                    throw new QubesVMNotFoundError("No such domain: '" + name + "'");
                }
                chosen.addAll(matched);
            }
        } else {
            for (Qube q : app.qubes()) {
                if (q.boolProperty("include_in_backups")) {
                    chosen.add(q);
                }
            }
        }
        for (String name : profile.exclude()) {
            chosen.removeAll(matching(app, name));
        }
        List<Qube> out = new ArrayList<>();
        for (Qube q : app.qubes()) {
            if (chosen.contains(q) && q.klass() != QubeClass.ADMIN_VM) {
                out.add(q);
            }
        }
        return out;
    }

    private static List<Qube> matching(Qubes app, String spec) {
        List<Qube> out = new ArrayList<>();
        for (Qube q : app.qubes()) {
            boolean match;
            if (spec.startsWith("@tag:")) {
                match = q.tags().all().contains(spec.substring(5));
            } else if (spec.startsWith("@type:")) {
                match = q.klass().wireName().equals(spec.substring(6));
            } else {
                match = q.name().equals(spec);
            }
            if (match) {
                out.add(q);
            }
        }
        return out;
    }
}
