package org.qubicle.api.handlers;

import org.qubicle.api.ApiMethod;
import org.qubicle.api.MethodTable;

/** Puts volume calls that move data ({@link VolumeBackend}) into a method table. */
public final class VolumeDataHandlers {
    private VolumeDataHandlers() {
    }

    /** {@code base} with every {@code admin.vm.volume.*} call served with data by {@code backend}. */
    public static MethodTable table(MethodTable base, VolumeBackend backend) {
        MethodTable.Builder b = MethodTable.builder();
        for (ApiMethod m : base.all()) {
            if (!m.name().startsWith("admin.vm.volume.")) {
                b.add(m);
            }
        }
        new VolumeHandlers(backend).register(b);
        return b.build();
    }
}
