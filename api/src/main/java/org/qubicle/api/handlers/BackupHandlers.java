package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;

import org.qubicle.api.ApiMethod;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.exc.ProtocolError;

/**
 * {@code admin.backup.Execute}, {@code admin.backup.Info} and {@code admin.backup.Cancel}:
 * the argument names a profile, {@code $QUBES_ROOT/etc/qubes/backup/<arg>.conf}, and the
 * destination is dom0, as in qubesd. The work is done by the daemon's {@link Backups}.
 *
 * <p>All three are READ: a backup changes no persistent state (qubesd declares them
 * read/execute too). Execute returns when the backup has ended; the daemon's
 * implementation waits on the system lock's monitor, so other calls run meanwhile.
 */
public final class BackupHandlers {
    private BackupHandlers() {
    }

    /** What the daemon does for each call; each runs holding the system's lock. */
    public interface Backups {
        /** Runs the backup of the profile to its end; throws the Qubes exceptions. */
        void execute(String profile);

        /** The summary table of what the profile would back up (no passphrase needed). */
        String info(String profile);

        /** Cancels the running backup of the profile. */
        void cancel(String profile);
    }

    /** {@code base} plus the three backup calls served by {@code backups}. */
    public static MethodTable table(MethodTable base, Backups backups) {
        MethodTable.Builder b = MethodTable.builder();
        for (ApiMethod m : base.all()) {
            b.add(m);
        }
        b.add("admin.backup.Execute", REQUIRED, ApiMethod.Payload.NONE, ADMIN_VM, READ, call -> {
            backups.execute(profile(call));
            return "";
        });
        b.add("admin.backup.Info", REQUIRED, ApiMethod.Payload.NONE, ADMIN_VM, READ,
                call -> backups.info(profile(call)));
        b.add("admin.backup.Cancel", REQUIRED, ApiMethod.Payload.NONE, ADMIN_VM, READ, call -> {
            backups.cancel(profile(call));
            return "";
        });
        return b.build();
    }

    /** qubesd: {@code enforce(arg)} and {@code enforce("/" not in arg)}; we also refuse dot names. */
    private static String profile(Call call) {
        String untrusted = call.arg();
        if (untrusted.isEmpty() || untrusted.contains("/") || untrusted.startsWith(".")
                || untrusted.length() > 128) {
            throw new ProtocolError("invalid backup profile name");
        }
        return untrusted;
    }
}
