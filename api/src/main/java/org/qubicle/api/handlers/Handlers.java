package org.qubicle.api.handlers;

import org.qubicle.api.MethodTable;

/**
 * The standard method table: every handler group's declarations. Lifecycle calls (start,
 * shutdown, kill, pause) are not here yet; they come as another group once a driver exists.
 */
public final class Handlers {
    private Handlers() {
    }

    public static MethodTable standardTable() {
        MethodTable.Builder b = MethodTable.builder();
        VmHandlers.register(b);
        PropertyHandlers.register(b);
        FeatureHandlers.register(b);
        TagHandlers.register(b);
        LabelHandlers.register(b);
        NotesHandlers.register(b);
        PoolHandlers.register(b);
        new VolumeHandlers().register(b);
        FirewallHandlers.register(b);
        DeviceHandlers.register(b);
        EventHandlers.register(b);
        return b.build();
    }
}
