package org.qubicle.daemon.backup;

import java.util.List;
import java.util.Map;
import org.qubicle.backup.crypto.ScryptParams;
import org.qubicle.daemon.QubesPaths;
import org.qubicle.daemon.lifecycle.LifecycleService;
import org.qubicle.daemon.storage.VolumeData;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.RunningQube;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMNotRunningError;

/**
 * Wires the backup service into a daemon: profiles in {@code etc/qubes/backup}, volume
 * images from the storage when it serves {@link VolumeData}, commands in qubes through
 * the lifecycle service. The system property {@code qubicle.backup.logN} lowers the
 * scrypt cost (tests and benchmarks); the default is {@link ScryptParams#DEFAULT}.
 */
public final class DaemonBackups {
    private DaemonBackups() {
    }

    public static BackupService create(Qubes app, QubesPaths paths, LifecycleService life, Object storage) {
        VolumeData volumes = storage instanceof VolumeData vd ? vd : UNAVAILABLE;
        return new BackupService(app, paths.qubesXml(), paths.etcQubes().resolve("backup"), volumes,
                commands(life), scrypt());
    }

    static ScryptParams scrypt() {
        String logN = System.getProperty("qubicle.backup.logN");
        if (logN == null || logN.isEmpty()) {
            return ScryptParams.DEFAULT;
        }
        return new ScryptParams(Integer.parseInt(logN), 8, 1);
    }

    /** {@code /bin/sh -c} in the qube as its default user, starting it first as qrexec would. */
    static QubeCommands commands(LifecycleService life) {
        return (Qube q, String command) -> {
            if (!q.powerState().isStarted()) {
                life.start(q);
            }
            RunningQube rq = life.handle(q.name()).orElseThrow(
                    () -> new QubesVMNotRunningError("Domain is not running: '" + q.name() + "'"));
            return life.driver().exec(rq, new ExecSpec(q.get("default_user").text(),
                    List.of("/bin/sh", "-c", command), Map.of()));
        };
    }

    private static final VolumeData UNAVAILABLE = new VolumeData() {
        @Override
        public VolumeImage snapshot(Qube q, String volume) {
            throw new QubesException("Volume data of " + q.name() + ":" + volume
                    + " is not available from this storage");
        }

        @Override
        public void importData(Qube q, String volume, java.io.InputStream untrustedData, long size) {
            throw new QubesException("Volume import is not available from this storage");
        }
    };
}
