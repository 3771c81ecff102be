package org.qubicle.api.handlers;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.qubicle.model.Qube;

/**
 * The data behind {@code admin.vm.volume.*}, served by the daemon's storage (the api module
 * knows no pools). Sizes returned are the volume's new size, for qubes.xml.
 */
public interface VolumeBackend {
    /** {@code usage}, {@code size}, {@code path}, {@code is_outdated} of a volume holding data; empty otherwise. */
    Map<String, String> info(Qube q, String volume);

    List<String> revisions(Qube q, String volume);

    long revert(Qube q, String volume, String revision);

    long resize(Qube q, String volume, long size);

    long clear(Qube q, String volume);

    /** Replaces the volume with exactly {@code size} bytes; the qube is halted. */
    long importData(Qube q, String volume, InputStream untrustedData, long size);

    /** The committed image; the caller closes it. */
    InputStream export(Qube q, String volume);

    long size(Qube q, String volume);

    long cloneFrom(Qube src, String srcVolume, Qube dst, String dstVolume);

    /** Refuses starting {@code q} until closed (data is moved without the system lock). */
    AutoCloseable markBusy(Qube q);
}
