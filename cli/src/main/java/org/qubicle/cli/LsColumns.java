package org.qubicle.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qubicle.api.client.PropertyValue;

/**
 * The columns of qvm-ls: the computed ones of qubesadmin's {@code qvm_ls.py}, and any
 * property by name. A cell with no value is {@code -}.
 */
final class LsColumns {
    /** Computed columns and their help, sorted by head as {@code --help-columns} lists them. */
    static final Map<String, String> COMPUTED = new LinkedHashMap<>();

    static {
        COMPUTED.put("CLASS", "Class of the qube.");
        COMPUTED.put("DISK", "Total disk utilisation.");
        COMPUTED.put("FLAGS", "Various flags: type, power state, updateable, provides_network, "
                + "installed_by_rpm, internal, debug, autostart.");
        COMPUTED.put("GATEWAY", "Network gateway.");
        COMPUTED.put("MEMORY", "Memory currently used by VM");
        COMPUTED.put("PRIV-CURR", "Disk utilisation by private image (/home, /usr/local).");
        COMPUTED.put("PRIV-MAX", "Maximum available space for private image.");
        COMPUTED.put("PRIV-POOL", "Storage pool of private volume.");
        COMPUTED.put("PRIV-USED",
                "Disk utilisation by private image as a percentage of available space.");
        COMPUTED.put("ROOT-CURR", "Disk utilisation by root image (/usr, /lib, /etc, ...).");
        COMPUTED.put("ROOT-MAX", "Maximum available space for root image.");
        COMPUTED.put("ROOT-POOL", "Storage pool of root volume.");
        COMPUTED.put("ROOT-USED",
                "Disk utilisation by root image as a percentage of available space.");
        COMPUTED.put("STATE", "Current power state.");
    }

    /** Columns sorted as numbers by {@code --sort}. */
    static final Set<String> NUMERIC = Set.of("MEMORY", "DISK", "PRIV-CURR", "PRIV-MAX",
            "ROOT-CURR", "XID", "ROOT-MAX", "MAXMEM", "QREXEC-TIMEOUT", "SHUTDOWN-TIMEOUT",
            "VCPUS", "PRIV-USED", "ROOT-USED");

    /** Preset formats of {@code --format}. */
    static final Map<String, List<String>> FORMATS = new LinkedHashMap<>();

    static {
        FORMATS.put("disk", List.of("name", "state", "disk", "priv-curr", "priv-max",
                "priv-used", "root-curr", "root-max", "root-used"));
        FORMATS.put("full", List.of("name", "state", "class", "label", "qid", "xid", "uuid"));
        FORMATS.put("kernel", List.of("name", "state", "class", "template", "kernel",
                "kernelopts"));
        FORMATS.put("network", List.of("name", "state", "netvm", "ip", "ipback", "gateway"));
        FORMATS.put("prefs", List.of("name", "label", "template", "netvm", "vcpus",
                "initialmem", "maxmem", "virt_mode"));
        FORMATS.put("simple", List.of("name", "state", "class", "label", "template", "netvm"));
    }

    private final Qubes qubes;
    private final Map<String, LsQube> byName;

    LsColumns(Qubes qubes, Map<String, LsQube> byName) {
        this.qubes = qubes;
        this.byName = byName;
    }

    /** The head of a column as the user named it: upper case, {@code _} as {@code -}. */
    static String head(String column) {
        return column.toUpperCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The cell text for one qube; {@code -} when there is no value. */
    String cell(String head, LsQube vm) {
        String v = value(head, vm);
        return v == null || v.isEmpty() ? "-" : v;
    }

    /** The raw value, or null; also what {@code --json} prints. */
    String value(String head, LsQube vm) {
        return switch (head) {
            case "STATE" -> vm.entry.state();
            case "CLASS" -> vm.entry.klass();
            case "NAME" -> vm.name();
            case "FLAGS" -> flags(vm);
            case "GATEWAY" -> gateway(vm);
            case "MEMORY" -> memory(vm);
            case "DISK" -> disk(vm);
            case "PRIV-CURR" -> String.valueOf(mib(vm, "private", "usage"));
            case "PRIV-MAX" -> String.valueOf(mib(vm, "private", "size"));
            case "PRIV-USED" -> used(vm, "private");
            case "PRIV-POOL" -> pool(vm, "private");
            case "ROOT-CURR" -> String.valueOf(mib(vm, "root", "usage"));
            case "ROOT-MAX" -> String.valueOf(mib(vm, "root", "size"));
            case "ROOT-USED" -> used(vm, "root");
            case "ROOT-POOL" -> pool(vm, "root");
            default -> vm.prop(head.toLowerCase(java.util.Locale.ROOT).replace('-', '_'));
        };
    }

    private static String flags(LsQube vm) {
        char type = switch (vm.entry.klass()) {
            case "AdminVM" -> '0';
            case "TemplateVM" -> 't';
            case "AppVM" -> 'a';
            case "StandaloneVM" -> 's';
            case "DispVM" -> 'd';
            default -> '-';
        };
        if (type != '0' && type != '-' && "hvm".equals(vm.prop("virt_mode"))) {
            type = Character.toUpperCase(type);
        }
        String state = vm.entry.state().toLowerCase(java.util.Locale.ROOT);
        char power = switch (state) {
            case "unknown" -> '?';
            case "running", "transient", "paused", "suspended", "halting", "dying", "crashed" ->
                    state.charAt(0);
            default -> '-';
        };
        return new String(new char[] {type, power,
            vm.flag("updateable") ? 'U' : '-',
            vm.flag("provides_network") ? 'N' : '-',
            vm.flag("installed_by_rpm") ? 'R' : '-',
            vm.flag("internal") ? 'i' : '-',
            vm.flag("debug") ? 'D' : '-',
            vm.flag("autostart") ? 'A' : '-'});
    }

    private String gateway(LsQube vm) {
        String netvm = vm.prop("netvm");
        if (netvm == null) {
            return null;
        }
        LsQube known = byName.get(netvm);
        if (known != null && !known.props.isEmpty()) {
            return known.prop("gateway");
        }
        try {
            PropertyValue v = qubes.property(netvm, "gateway");
            return v.value();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String memory(LsQube vm) {
        if (!vm.entry.state().equals("Running")) {
            return null;
        }
        String mem = vm.currentState(qubes).get("mem");
        try {
            return mem == null ? null : String.valueOf(Long.parseLong(mem) / 1024);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String disk(LsQube vm) {
        long sum = 0;
        for (Map<String, String> info : vm.volumes(qubes).values()) {
            sum += number(info.get("usage"));
        }
        return String.valueOf(sum / 1024 / 1024);
    }

    private long mib(LsQube vm, String volume, String key) {
        Map<String, String> info = vm.volumes(qubes).get(volume);
        return info == null ? 0 : number(info.get(key)) / 1024 / 1024;
    }

    private String used(LsQube vm, String volume) {
        long size = mib(vm, volume, "size");
        if (size == 0) {
            return "0";
        }
        return (mib(vm, volume, "usage") * 100 / size) + "%";
    }

    private String pool(LsQube vm, String volume) {
        Map<String, String> info = vm.volumes(qubes).get(volume);
        return info == null ? "-" : info.get("pool");
    }

    private static long number(String s) {
        try {
            return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
