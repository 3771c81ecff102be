package org.qubicle.api.policy;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.event.DomainAdded;
import org.qubicle.model.event.DomainDeleted;
import org.qubicle.model.event.FeatureDeleted;
import org.qubicle.model.event.FeatureSet;
import org.qubicle.model.event.Notice;
import org.qubicle.model.event.PropertyReset;
import org.qubicle.model.event.PropertySet;
import org.qubicle.model.event.TagAdded;
import org.qubicle.model.event.TagDeleted;
import org.qubicle.model.exc.QubesException;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.SystemInfo;

/**
 * The policy's view of the system ({@code internal.GetSystemInfo}, spec §8), built from the model
 * and cached until the next event that may change it. As qubesd's SystemInfoCache, the cache is
 * dropped on domain add/delete, tags, features, property changes and lifecycle notices
 * (start, shutdown, ...). Its invalidation is a class handler, which the bus runs before any
 * {@code admin.Events} stream, so an event filter never sees a stale view.
 *
 * <p>{@link #get} must be called holding {@link Qubes#lock()}.
 */
public final class ModelSystemInfo {
    private final Qubes app;
    private SystemInfo cached;

    private ModelSystemInfo(Qubes app) {
        this.app = app;
    }

    /** A cache on {@code app}, invalidated by its events. */
    public static ModelSystemInfo watch(Qubes app) {
        ModelSystemInfo m = new ModelSystemInfo(app);
        Runnable drop = m::invalidate;
        app.events().on(DomainAdded.class, e -> drop.run());
        app.events().on(DomainDeleted.class, e -> drop.run());
        app.events().on(TagAdded.class, e -> drop.run());
        app.events().on(TagDeleted.class, e -> drop.run());
        app.events().on(FeatureSet.class, e -> drop.run());
        app.events().on(FeatureDeleted.class, e -> drop.run());
        app.events().on(PropertySet.class, e -> drop.run());
        app.events().on(PropertyReset.class, e -> drop.run());
        app.events().on(Notice.class, e -> drop.run());
        return m;
    }

    /** The current view; call holding the system lock. */
    public SystemInfo get() {
        SystemInfo s = cached;
        if (s == null || powerStatesChanged(s)) {
            s = of(app);
            cached = s;
        }
        return s;
    }

    /** Drops the cached view. */
    public void invalidate() {
        cached = null;
    }

    /**
     * Power states change without an event when the driver notices a qube stopped; they only
     * matter to {@code autostart=no}, and comparing them is cheap.
     */
    private boolean powerStatesChanged(SystemInfo s) {
        if (s.qubes().size() != app.qubes().size()) {
            return true;
        }
        for (Qube q : app.qubes()) {
            QubeInfo i = s.get(q.name());
            if (i == null || !i.powerState().equals(q.powerState().name())) {
                return true;
            }
        }
        return false;
    }

    /** Builds the view now; call holding the system lock. */
    public static SystemInfo of(Qubes app) {
        List<QubeInfo> qubes = new ArrayList<>();
        for (Qube q : app.qubes()) {
            qubes.add(info(q));
        }
        return new SystemInfo(qubes);
    }

    private static QubeInfo info(Qube q) {
        String internal = q.features().find("internal").orElse("");
        return new QubeInfo(q.name(), new ArrayList<>(q.tags().all()), q.klass().wireName(),
                "True".equals(text(q, "template_for_dispvms")), text(q, "default_dispvm"), text(q, "icon"),
                q.label().name(), text(q, "guivm"), null, null, q.powerState().name(), q.uuid().toString(),
                // Python truthiness of the feature's string value: "" is false, anything else true.
                !internal.isEmpty());
    }

    /** A property's value, null when unset, None or not defined for this class. */
    private static String text(Qube q, String property) {
        try {
            String t = q.get(property).text();
            return t.isEmpty() ? null : t;
        } catch (QubesException e) {
            return null;
        }
    }
}
