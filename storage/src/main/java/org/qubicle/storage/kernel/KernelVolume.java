package org.qubicle.storage.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.qubicle.model.exc.QubesNotImplementedError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.Mounted;
import org.qubicle.storage.Volume;
import org.qubicle.storage.VolumeConfig;

/**
 * A qube's kernel volume: metadata only. Start and stop have nothing to do (as in Qubes'
 * {@code LinuxModules}); every data operation is refused by name.
 */
final class KernelVolume implements Volume {
    private final VolumeConfig config;
    private final Path dir;

    KernelVolume(VolumeConfig config, Path dir) {
        this.config = config;
        this.dir = dir;
    }

    private static QubesNotImplementedError no(String what) {
        return new QubesNotImplementedError("Kernel volumes do not support " + what);
    }

    private Path modules() {
        return dir.resolve(config.vidText()).resolve("modules.img");
    }

    /** The host's kernel release: namespace qubes run on it, so it is always "installed". */
    static String hostKernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Override public VolumeConfig config() { return config.withSize(size()); }
    @Override public void create() { }
    @Override public void remove() { }
    @Override public void start() { }
    @Override public void stop() { }

    @Override
    public void verify() {
        if (config.vid() != null && !Files.isDirectory(dir.resolve(config.vidText()))
                && !config.vidText().equals(hostKernel())) {
            throw new StoragePoolException("VM kernel does not exist: " + dir.resolve(config.vidText()));
        }
    }

    @Override public boolean isDirty() { return false; }
    @Override public boolean isOutdated() { return false; }
    @Override public List<String> revisions() { return List.of(); }
    @Override public void revert(String revision) { throw no("revert"); }
    @Override public void resize(long bytes) { throw no("resize"); }
    @Override public void importData(InputStream untrustedData, long size) { throw no("import"); }
    @Override public void importFrom(Volume source) { throw no("clone"); }
    @Override public InputStream export() { throw no("export"); }
    @Override public void clear() { throw no("clear"); }
    @Override public long usage() { return 0; }

    @Override
    public long size() {
        try {
            return config.vid() == null ? 0 : Files.size(modules());
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String path() {
        return config.vid() == null ? "" : modules().toString();
    }

    @Override public void setRevisionsToKeep(int revisions) { throw no("revisions"); }
    @Override public void setRw(boolean rw) { throw no("rw"); }
    @Override public void setEphemeral(boolean ephemeral) { throw no("ephemeral"); }
    @Override public Mounted mount() { throw no("mount (namespace qubes use the host kernel)"); }
}
