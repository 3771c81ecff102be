package org.qubicle.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qubicle.model.exc.QubesNotImplementedError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.storage.kernel.LinuxKernelPoolDriver;

class KernelPoolTest {
    @TempDir
    Path tmp;

    @Test
    void kernelVolumesAreMetadataOnly() throws IOException {
        Files.createDirectories(tmp.resolve("6.1.0-13-amd64"));
        Pool pool = new LinuxKernelPoolDriver().open(new PoolConfig("linux-kernel", "linux-kernel", Map.of("dir_path", tmp.toString())));
        assertEquals(List.of(new VolumeId("6.1.0-13-amd64")), pool.volumeIds());
        Volume k = pool.volume(new VolumeConfig("kernel", "linux-kernel", new VolumeId("6.1.0-13-amd64"), 0, false, false, false, null, 0, false));
        k.verify();
        k.start();
        k.stop();
        assertTrue(k.revisions().isEmpty());
        assertThrows(QubesNotImplementedError.class, k::export);
        assertThrows(QubesNotImplementedError.class, () -> k.resize(1));
        assertThrows(QubesNotImplementedError.class, k::mount);
        Volume missing = pool.volume(new VolumeConfig("kernel", "linux-kernel", new VolumeId("0.0-none"), 0, false, false, false, null, 0, false));
        assertThrows(StoragePoolException.class, missing::verify);
        Volume none = pool.volume(new VolumeConfig("kernel", "linux-kernel", null, 0, false, false, false, null, 0, false));
        none.verify();
        assertEquals("", none.config().vidText());
        assertThrows(StoragePoolException.class, () -> pool.volume(
                VolumeConfig.origin("kernel", "linux-kernel", new VolumeId("x"), 1, 0)));
    }
}
