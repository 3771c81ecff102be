package org.qubicle.storage.fake;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.storage.Capability;
import org.qubicle.storage.DriverParameter;
import org.qubicle.storage.Pool;
import org.qubicle.storage.PoolConfig;
import org.qubicle.storage.PoolDriver;
import org.qubicle.storage.Probe;

/**
 * An in-memory driver for unit tests elsewhere (daemon, API): the file pool's semantics
 * without files, root or mounts. {@link Capability#MOUNT} is absent, so
 * {@code mount()} fails with {@code QubesNotImplementedError}.
 *
 * <p>Example: {@code FakePool pool = (FakePool) new FakePoolDriver().open(new
 * PoolConfig("varlibqubes", "fake", Map.of()));}
 */
public final class FakePoolDriver implements PoolDriver {
    public static final String NAME = "fake";

    static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.SNAPSHOT, Capability.ORIGIN, Capability.REVISIONS, Capability.SNAPSHOTS_DISABLED,
            Capability.RESIZE, Capability.IMPORT, Capability.EXPORT, Capability.OUTDATED_CHECK));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DriverParameter> parameters() {
        return List.of(new DriverParameter("revisions_to_keep", false), new DriverParameter("ephemeral_volatile", false));
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Probe probe() {
        return Probe.ok(List.of());
    }

    @Override
    public int rank() {
        return -1;
    }

    @Override
    public FakePool open(PoolConfig config) {
        for (String key : config.options().keySet()) {
            if (parameters().stream().noneMatch(p -> p.name().equals(key))) {
                throw new ProtocolError("unexpected option " + key + " for driver " + NAME);
            }
        }
        return new FakePool(config);
    }
}
