package org.qubicle.daemon.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.daemon.storage.DirStorage;
import org.qubicle.daemon.storage.QubeStorage;
import org.qubicle.daemon.storage.VolumeData;
import org.qubicle.model.Qube;

/**
 * Test storage: directory storage for the lifecycle, plus raw images in
 * {@code images/<qube>/<volume>.img} for {@link VolumeData} (a stand-in for the pool
 * storage of the storage helper, which the integration tests use when it is there).
 * A snapshot is a copy, as a running qube's snapshot would be.
 */
final class ImageVolumes implements QubeStorage, VolumeData {
    private final DirStorage dirs;
    private final Path images;

    ImageVolumes(Path root) {
        this.dirs = new DirStorage(root.resolve("var/lib/qubes"), false);
        this.images = root.resolve("images");
    }

    Path image(String qube, String volume) {
        return images.resolve(qube).resolve(volume + ".img");
    }

    @Override
    public VolumeImage snapshot(Qube q, String volume) {
        Path src = image(q.name(), volume);
        try {
            Path copy = Files.createTempFile(images, "snap-", ".img");
            if (Files.exists(src)) {
                Files.copy(src, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                try (var ch = java.nio.channels.FileChannel.open(copy, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                }
                try (var f = new java.io.RandomAccessFile(copy.toFile(), "rw")) {
                    f.setLength(q.volumes().get(volume).size());
                }
            }
            long size = Files.size(copy);
            return new VolumeImage() {
                @Override
                public Path path() {
                    return copy;
                }

                @Override
                public long size() {
                    return size;
                }

                @Override
                public void close() {
                    try {
                        Files.deleteIfExists(copy);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void importData(Qube q, String volume, InputStream untrustedData, long size) {
        Path dst = image(q.name(), volume);
        try {
            Files.createDirectories(dst.getParent());
            try (OutputStream out = Files.newOutputStream(dst)) {
                long n = untrustedData.transferTo(out);
                if (n != size) {
                    throw new IOException("expected " + size + " bytes, got " + n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Prepared prepare(Qube q, long baseUid) {
        return dirs.prepare(q, baseUid);
    }

    @Override
    public Prepared adopt(Qube q, long baseUid) {
        return dirs.adopt(q, baseUid);
    }

    @Override
    public void release(Qube q) {
        dirs.release(q);
    }

    @Override
    public void remove(Qube q) {
        dirs.remove(q);
    }
}
