package org.qubicle.daemon.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeType;

/**
 * {@link VolumeData} on pool volumes. A snapshot of a running origin volume freezes its
 * file system ({@code fsfreeze}) for a sparse copy of the running image; otherwise the
 * committed image is copied (it never changes in place: commits rename).
 */
final class PoolSnapshots implements VolumeData {
    private static final int BLOCK = 1 << 16;
    private final Volumes volumes;
    private final Path tmpDir;

    PoolSnapshots(Volumes volumes, Path tmpDir) {
        this.volumes = volumes;
        this.tmpDir = tmpDir;
    }

    @Override
    public VolumeImage snapshot(Qube q, String volume) {
        Volume v = volumes.get(q, volume);
        try {
            Files.createDirectories(tmpDir);
            Path tmp = Files.createTempFile(tmpDir, "snap-", ".img");
            try {
                if (v.config().type() == VolumeType.ORIGIN && v.isDirty() && q.powerState() != PowerState.Halted) {
                    Mounted m = v.mount();
                    HostMounts.run("fsfreeze", "-f", m.path().toString());
                    try (InputStream in = Files.newInputStream(Path.of(v.path()))) {
                        copySparse(in, tmp);
                    } finally {
                        HostMounts.run("fsfreeze", "-u", m.path().toString());
                    }
                } else {
                    try (InputStream in = v.export()) {
                        copySparse(in, tmp);
                    }
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            long size = Files.size(tmp);
            return new Image(tmp, size);
        } catch (IOException e) {
            throw new QubesException("snapshot of " + q.name() + ":" + volume + " failed: " + e.getMessage());
        }
    }

    private record Image(Path path, long size) implements VolumeImage {
        @Override
        public void close() {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // a leftover in the run directory, gone at reboot
            }
        }
    }

    /** Copies a stream to a file, leaving all-zero 64 KiB blocks as holes. */
    static void copySparse(InputStream in, Path dst) throws IOException {
        try (FileChannel out = FileChannel.open(dst, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[BLOCK];
            long pos = 0;
            int n;
            while ((n = in.readNBytes(buf, 0, BLOCK)) > 0) {
                if (!zero(buf, n)) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b, pos + b.position());
                    }
                }
                pos += n;
            }
            if (out.size() < pos) {
                out.truncate(pos);
                // truncate only shrinks: extend by writing the last byte's position
                out.write(ByteBuffer.wrap(new byte[1]), pos - 1);
            }
        }
    }

    private static boolean zero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void importData(Qube q, String volume, InputStream untrustedData, long size) {
        if (q.powerState() != PowerState.Halted) {
            throw new QubesVMNotHaltedError("Qube " + q.name() + " is not halted");
        }
        try (AutoCloseable busy = volumes.markBusy(q)) {
            Volume v = volumes.get(q, volume);
            if (v.config().type() == VolumeType.ORIGIN && !v.isDirty()) {
                try {
                    v.verify();
                } catch (org.qubicle.model.exc.StoragePoolException e) {
                    v.create();
                }
            }
            v.importData(untrustedData, size);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new QubesException(e.getMessage());
        }
    }
}
