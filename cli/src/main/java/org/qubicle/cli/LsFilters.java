package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.model.exc.QubesFeatureNotFoundError;

/** The filtering options of qvm-ls, applied in the order of {@code qvm_ls.py}. */
final class LsFilters {
    private final QvmLs o;
    private final Qubes qubes;

    LsFilters(QvmLs options, Qubes qubes) {
        this.o = options;
        this.qubes = qubes;
    }

    List<LsQube> apply(List<LsQube> in) {
        List<LsQube> vms = new ArrayList<>(in);
        if (o.label != null) {
            vms.removeIf(vm -> !o.label.contains(String.valueOf(vm.prop("label"))));
        }
        if (o.tags != null) {
            vms.removeIf(vm -> vm.tags(qubes).stream().noneMatch(o.tags::contains));
        }
        if (o.excludeTags != null) {
            vms.removeIf(vm -> vm.tags(qubes).stream().anyMatch(o.excludeTags::contains));
        }
        if (o.templateSource != null) {
            vms.removeIf(vm -> !o.templateSource.contains(orEmpty(vm.prop("template"))));
        }
        if (o.netvmIs != null) {
            vms.removeIf(vm -> !o.netvmIs.contains(orEmpty(vm.prop("netvm"))));
        }
        yesNo(vms, "--internal", o.internal, "internal");
        yesNo(vms, "--servicevm", o.servicevm, "servicevm");
        if (o.pendingUpdate) {
            vms.removeIf(vm -> {
                String v = feature(vm, "updates-available");
                return v == null || v.isEmpty();
            });
        }
        if (o.features != null) {
            for (String f : o.features) {
                String[] kv = keyValue("--features", f);
                vms.removeIf(vm -> !java.util.Objects.equals(feature(vm, kv[0]), kv[1]));
            }
        }
        if (o.prefs != null) {
            for (String p : o.prefs) {
                String[] kv = keyValue("--prefs", p);
                vms.removeIf(vm -> !pyStr(vm, kv[0]).equals(kv[1]));
            }
        }
        if (o.running || o.paused || o.halted) {
            vms.removeIf(vm -> {
                String s = vm.entry.state().toLowerCase(Locale.ROOT);
                return !((o.running && s.equals("running")) || (o.paused && s.equals("paused"))
                        || (o.halted && s.equals("halted")));
            });
        }
        return vms;
    }

    private void yesNo(List<LsQube> vms, String option, String choice, String feature) {
        if (choice == null) {
            return;
        }
        boolean yes = switch (choice) {
            case "y", "yes" -> true;
            case "n", "no" -> false;
            default -> throw new UsageError("argument " + option + ": invalid choice: "
                    + Py.repr(choice) + " (choose from 'y', 'yes', 'n', 'no')");
        };
        vms.removeIf(vm -> {
            String v = feature(vm, feature);
            boolean set = v != null && (v.equals("1") || v.equals("true") || v.equals("True"));
            return set != yes;
        });
    }

    /** {@code KEY=VALUE}: empty VALUE means unset (null), {@code ''} or {@code ""} empty. */
    private static String[] keyValue(String option, String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
            throw new UsageError("Invalid argument: " + option + " " + arg);
        }
        String value = arg.substring(eq + 1);
        if (value.isEmpty()) {
            value = null;
        } else if (value.equals("''") || value.equals("\"\"")) {
            value = "";
        }
        return new String[] {arg.substring(0, eq), value};
    }

    private String feature(LsQube vm, String name) {
        try {
            return qubes.feature(vm.name(), name);
        } catch (QubesFeatureNotFoundError e) {
            return null;
        }
    }

    /** Python's {@code str(getattr(vm, key, None))}. */
    private static String pyStr(LsQube vm, String key) {
        PropertyValue v = vm.property(key);
        if (v == null || (v.value().isEmpty() && !v.type().equals("str"))) {
            return "None";
        }
        return v.value();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
