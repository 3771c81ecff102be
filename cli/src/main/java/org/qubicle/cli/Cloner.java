package org.qubicle.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.model.exc.QubesException;

/**
 * Copies a qube as qubesadmin's {@code Qubes.clone_vm}: create, then properties, tags,
 * features, notes and firewall, then volume data, then device assignments. A failure
 * removes the half-made clone again.
 */
final class Cloner {
    private static final Set<String> SKIPPED = Set.of("name", "qid", "template", "label",
            "uuid", "installed_by_rpm");

    private final QubesTool tool;
    private final Qubes qubes;
    private final boolean ignoreErrors;

    Cloner(QubesTool tool, boolean ignoreErrors) {
        this.tool = tool;
        this.qubes = tool.qubes();
        this.ignoreErrors = ignoreErrors;
    }

    void cloneVm(String src, String dst, String cls, String pool, Map<String, String> pools,
            Set<String> ignoreVolumes) {
        Map<String, PropertyValue> props = qubes.properties(src);
        if (cls == null) {
            cls = qubes.require(src).klass();
        }
        PropertyValue template = props.get("template");
        String templateName = template == null || template.isEmpty() ? null : template.value();
        String label = props.get("label").value();
        Map<String, String> volumePools = new TreeMap<>(pools);
        Map<String, Map<String, String>> srcVolumes = volumes(src);
        if ((pool == null || pool.isEmpty()) && pools.isEmpty()) {
            Map<String, PropertyValue> globals = null;
            for (var e : srcVolumes.entrySet()) {
                Map<String, String> info = e.getValue();
                if ("True".equals(info.get("snap_on_start")) || !"True".equals(info.get("rw"))
                        || ignoreVolumes.contains(e.getKey())) {
                    continue;
                }
                if (globals == null) {
                    globals = qubes.properties(null);
                }
                PropertyValue dflt = globals.get("default_pool_" + e.getKey());
                String defaultPool = dflt == null ? info.get("pool") : dflt.value();
                if (!defaultPool.equals(info.get("pool"))) {
                    volumePools.put(e.getKey(), info.get("pool"));
                }
            }
        }
        QvmCreate.create(qubes, cls, dst, label, templateName, pool, volumePools);
        try {
            copyMetadata(src, dst, props);
        } catch (QubesException e) {
            if (!ignoreErrors) {
                remove(dst);
                throw e;
            }
        }
        try {
            for (var e : volumes(dst).entrySet()) {
                if (!"True".equals(e.getValue().get("save_on_stop")) || ignoreVolumes.contains(e.getKey())) {
                    continue;
                }
                tool.log(dst, "Cloning " + e.getKey() + " volume");
                String token = qubes.call(src, "admin.vm.volume.CloneFrom", e.getKey(), null);
                qubes.call(dst, "admin.vm.volume.CloneTo", e.getKey(), token);
            }
        } catch (QubesException e) {
            remove(dst);
            throw e;
        }
        try {
            copyDevices(src, dst);
        } catch (QubesException e) {
            if (!ignoreErrors) {
                remove(dst);
                throw e;
            }
        }
    }

    private void copyMetadata(String src, String dst, Map<String, PropertyValue> props) {
        for (String name : qubes.propertyNames(src)) {
            PropertyValue v = props.get(name);
            if (SKIPPED.contains(name) || v == null || v.isDefault()) {
                continue;
            }
            if (v.isEmpty() && (v.type().equals("int") || v.type().equals("bool"))) {
                continue;
            }
            attempt("Failed to set " + name + " property: ", dst,
                    () -> qubes.setProperty(dst, name, v.value()));
        }
        for (String tag : qubes.tags(src)) {
            if (!tag.startsWith("created-by-")) {
                attempt("Failed to add " + tag + " tag: ", dst,
                        () -> qubes.call(dst, "admin.vm.tag.Set", tag, null));
            }
        }
        for (String f : qubes.features(src)) {
            if (f.startsWith("preload-dispvm") && !f.equals("preload-dispvm-max")) {
                continue;
            }
            String value = qubes.feature(src, f);
            attempt("Failed to set " + f + " feature: ", dst, () -> qubes.setFeature(dst, f, value));
        }
        attempt("Failed to clone qube notes: ", dst, () -> {
            String notes = qubes.call(src, "admin.vm.notes.Get", null, null);
            if (!notes.isEmpty()) {
                qubes.call(dst, "admin.vm.notes.Set", null, notes);
            }
        });
        attempt("Failed to set firewall: ", "app", () -> {
            String rules = qubes.call(src, "admin.vm.firewall.Get", null, null);
            if (!rules.isEmpty()) {
                qubes.call(dst, "admin.vm.firewall.Set", null, rules);
            }
        });
    }

    private void copyDevices(String src, String dst) {
        for (String devclass : Qubes.lines(qubes.call(Qubes.DOM0, "admin.deviceclass.List", null, null))) {
            String assigned = qubes.call(src, "admin.vm.device." + devclass + ".Assigned", null, null);
            for (String line : Qubes.lines(assigned)) {
                int sp = line.indexOf(' ');
                String device = sp < 0 ? line : line.substring(0, sp);
                String options = sp < 0 ? "" : line.substring(sp + 1);
                options = options.replaceAll("frontend_domain='[^']*'", "frontend_domain='" + dst + "'");
                qubes.call(dst, "admin.vm.device." + devclass + ".Assign", device, options);
            }
        }
    }

    private void attempt(String what, String logger, Runnable action) {
        try {
            action.run();
        } catch (QubesException e) {
            tool.log(logger, what + e.getMessage());
            if (!ignoreErrors) {
                throw e;
            }
        }
    }

    private Map<String, Map<String, String>> volumes(String vm) {
        Map<String, Map<String, String>> map = new LinkedHashMap<>();
        List<String> names = new java.util.ArrayList<>(
                Qubes.lines(qubes.call(vm, "admin.vm.volume.List", null, null)));
        java.util.Collections.sort(names);
        for (String vol : names) {
            map.put(vol, Qubes.keyValues(qubes.call(vm, "admin.vm.volume.Info", vol, null)));
        }
        return map;
    }

    private void remove(String vm) {
        try {
            qubes.call(vm, "admin.vm.Remove", null, null);
        } catch (QubesException e) {
            tool.log("app", "Failed to remove the partial clone " + vm + ": " + e.getMessage());
        }
    }
}
