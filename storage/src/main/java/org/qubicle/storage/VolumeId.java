package org.qubicle.storage;

import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesValueError;

/**
 * A volume id ({@code vid}), unique within its pool. The file pool uses
 * {@code appvms/<qube>/<volume>} and {@code vm-templates/<qube>/<volume>}; the kernel pool
 * uses the kernel version. Because the file pool turns a vid into a path, a vid is one or
 * more {@code /}-separated segments of safe characters, never {@code .} or {@code ..}.
 *
 * @param value the vid as {@code admin.vm.volume.Info} prints it
 */
public record VolumeId(String value) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9_.+:-]{0,127}");
    private static final int MAX = 255;

    public VolumeId {
        if (value == null || value.isEmpty() || value.length() > MAX) {
            throw new QubesValueError("Invalid volume id: " + value);
        }
        for (String s : value.split("/", -1)) {
            if (!SEGMENT.matcher(s).matches()) {
                throw new QubesValueError("Invalid volume id: " + value);
            }
        }
    }

    /**
     * The vid a file pool gives a qube's volume: {@code vm-templates/NAME/VOL} for a
     * template, {@code appvms/NAME/VOL} for every other class (Qubes' layout).
     */
    public static VolumeId forQube(boolean template, String qube, String volume) {
        return new VolumeId((template ? "vm-templates/" : "appvms/") + qube + "/" + volume);
    }

    @Override
    public String toString() {
        return value;
    }
}
