package org.qubicle.daemon.qrexec;

import java.util.ArrayList;
import java.util.List;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.SystemInfo;

/** qubesd's {@code internal.GetSystemInfo} built from the model, for the policy engine (spec §8). */
final class ModelSystemInfo {
    private ModelSystemInfo() {
    }

    /** Call holding {@code app.lock()}. */
    static SystemInfo of(Qubes app) {
        List<QubeInfo> qubes = new ArrayList<>();
        for (Qube q : app.qubes()) {
            qubes.add(info(q));
        }
        return new SystemInfo(qubes);
    }

    private static QubeInfo info(Qube q) {
        boolean tfd = q.propertyNames().contains("template_for_dispvms") && q.boolProperty("template_for_dispvms");
        String label = q.label() == null ? null : q.label().name();
        String icon = label == null ? null : q.klass().wireName().toLowerCase(java.util.Locale.ROOT)
                .replace("vm", "vm") + "-" + label;
        String internal = q.features().find("internal").orElse("");
        return new QubeInfo(q.name(), List.copyOf(q.tags().all()), q.klass().wireName(), tfd,
                text(q, "default_dispvm"), icon, label, text(q, "guivm"), null, null, q.powerState().name(),
                q.uuid().toString(), !internal.isEmpty());
    }

    private static String text(Qube q, String property) {
        if (!q.propertyNames().contains(property)) {
            return null;
        }
        String t = q.get(property).text();
        return t.isEmpty() ? null : t;
    }
}
