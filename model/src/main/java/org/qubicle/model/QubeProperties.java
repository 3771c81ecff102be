package org.qubicle.model;

import static org.qubicle.model.property.Property.Flag.CLONE;
import static org.qubicle.model.property.Property.Flag.HALTED_ONLY;
import static org.qubicle.model.property.Property.Flag.NO_RESET;
import static org.qubicle.model.property.Property.Flag.READ_ONLY;
import static org.qubicle.model.property.Property.Flag.WRITE_ONCE;
import static org.qubicle.model.property.PropertyType.BOOL;
import static org.qubicle.model.property.PropertyType.INT;
import static org.qubicle.model.property.PropertyType.LABEL;
import static org.qubicle.model.property.PropertyType.STR;
import static org.qubicle.model.property.PropertyType.VM;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.qubicle.model.property.Property;
import org.qubicle.model.property.Property.Flag;
import org.qubicle.model.property.Property.Validator;
import org.qubicle.model.property.PropertyType;

/**
 * The property table of each qube class ({@code specs/qubes-model.md} section 3). "T→"
 * defaults come from the template when the qube has one, then from the global value.
 */
final class QubeProperties {
    private static final Map<QubeClass, Map<String, Property<Qube>>> TABLES = new EnumMap<>(QubeClass.class);

    static {
        for (QubeClass c : QubeClass.values()) {
            TABLES.put(c, Collections.unmodifiableMap(build(c)));
        }
    }

    private QubeProperties() {
    }

    static Map<String, Property<Qube>> forClass(QubeClass klass) {
        return TABLES.get(klass);
    }

    private static Map<String, Property<Qube>> build(QubeClass c) {
        TreeMap<String, Property<Qube>> t = new TreeMap<>();
        add(t, "name", STR, "User-defined name of the domain", Set.of(WRITE_ONCE, NO_RESET), none(), (q, v) -> new QubeName(v).value());
        add(t, "qid", INT, "Internal, persistent identificator of particular domain.", Set.of(WRITE_ONCE), none(), QubeValidators::qid);
        add(t, "uuid", STR, "UUID from libvirt.", Set.of(WRITE_ONCE), none(), Validator.none());
        add(t, "klass", STR, "Domain class", Set.of(READ_ONLY), q -> Optional.of(c.wireName()), Validator.none());
        add(t, "icon", STR, "Icon name, derived from the label and class", Set.of(READ_ONLY), QubeProperties::icon, Validator.none());
        add(t, "xid", INT, "Hypervisor ID of the running domain, -1 when halted", Set.of(READ_ONLY),
                q -> Optional.of(q.powerState().isStarted() ? Integer.toString(q.qid()) : "-1"), Validator.none());
        add(t, "include_in_backups", BOOL, "If this domain is to be included in default backup.", Set.of(CLONE),
                q -> Optional.of(c == QubeClass.DISP_VM ? flip(q.get("auto_cleanup").text()) : "True"), Validator.none());
        add(t, "default_dispvm", VM, "Default disposable template for qrexec calls and qvm-open-in-dvm", Set.of(CLONE),
                q -> c == QubeClass.DISP_VM ? q.effective("template") : global(q, "default_dispvm"), QubeValidators::dispvmTemplate);
        add(t, "updateable", BOOL, "True if this machine may be updated on its own.", Set.of(READ_ONLY),
                q -> Optional.of(c.updateable() ? "True" : "False"), Validator.none());
        add(t, "devices_denied", STR, "Device interfaces this qube refuses, as 7-character codes", Set.of(CLONE),
                q -> Optional.of(""), QubeValidators::devicesDenied);
        add(t, "keyboard_layout", STR, "Keyboard layout for this qube, layout+variant+options", Set.of(CLONE),
                QubeProperties::keyboardLayout, QubeValidators::keyboardLayout);
        if (c == QubeClass.ADMIN_VM) {
            add(t, "label", LABEL, "Colourful label assigned to VM", Set.of(), none(), Validator.none());
            add(t, "maxmem", INT, "Total memory of the host, in MiB", Set.of(READ_ONLY),
                    q -> Optional.of(Long.toString(q.app().host().memoryMib())), Validator.none());
            return t;
        }
        add(t, "label", LABEL, "Colourful label assigned to VM", Set.of(CLONE), none(), Validator.none());
        if (c.hasTemplate()) {
            add(t, "template", VM, c == QubeClass.DISP_VM ? "AppVM with template_for_dispvms this disposable is based on"
                    : "Template, on which this domain is based.", Set.of(HALTED_ONLY, NO_RESET),
                    q -> global(q, c == QubeClass.DISP_VM ? "default_dispvm" : "default_template"), QubeValidators::template);
        }
        add(t, "netvm", VM, "VM that provides network connection to this domain. When None, machine is disconnected.",
                Set.of(CLONE), q -> c == QubeClass.TEMPLATE_VM ? Optional.empty() : global(q, "default_netvm"), QubeValidators::netvm);
        add(t, "provides_network", BOOL, "If this domain can act as network provider (formerly known as NetVM or ProxyVM)",
                Set.of(CLONE), constant("False"), QubeValidators::providesNetwork);
        NetworkProperties.add(t, c);
        add(t, "mac", STR, "MAC address of the NIC emulated inside VM", Set.of(CLONE), constant("00:16:3e:5e:6c:00"), QubeValidators::mac);
        add(t, "memory", INT, "Memory currently available for this VM, in MiB.", Set.of(CLONE),
                fromTemplate("memory", constant("400")), QubeValidators.positive("memory"));
        add(t, "maxmem", INT, "Maximum amount of memory available for this VM (for the purpose of the memory balancer), in MiB. "
                + "Qubicle also uses it as the qube's cgroup memory limit.", Set.of(CLONE, HALTED_ONLY),
                fromTemplate("maxmem", q -> Optional.of(Long.toString(Math.min(q.intProperty("memory") * 10, q.app().host().memoryMib() / 2)))),
                QubeValidators.atLeastZero("maxmem"));
        add(t, "vcpus", INT, "Number of virtual CPUs for a qube", Set.of(CLONE), fromTemplate("vcpus", constant("2")), QubeValidators.positive("vcpus"));
        add(t, "virt_mode", STR, "Isolation driver that runs this qube (Qubicle: bwrap; Qubes: hvm, pv, pvh)", Set.of(CLONE),
                fromTemplate("virt_mode", q -> Optional.of(q.app().host().defaultVirtMode())), QubeValidators::virtMode);
        add(t, "kernel", STR, "Kernel used by this domain.", Set.of(CLONE), fromTemplate("kernel", q -> global(q, "default_kernel")),
                QubeValidators::kernel);
        add(t, "kernelopts", STR, "Kernel command line passed to domain.", Set.of(CLONE),
                q -> q.get("kernel").text().isEmpty() ? Optional.of("")
                        : fromTemplate("kernelopts", constant("swiotlb=2048")).apply(q), QubeValidators::kernelopts);
        add(t, "debug", BOOL, "Turns on debugging features.", Set.of(CLONE), constant("False"), Validator.none());
        add(t, "default_user", STR, "Default user to start applications as.", Set.of(CLONE),
                fromTemplate("default_user", constant("user")), QubeValidators::defaultUser);
        add(t, "qrexec_timeout", INT, "Time in seconds after which qrexec connection attempt is deemed failed.",
                Set.of(CLONE), fromTemplate("qrexec_timeout", q -> global(q, "default_qrexec_timeout")), QubeValidators.positive("qrexec_timeout"));
        add(t, "shutdown_timeout", INT, "Time in seconds for shutdown of the VM, after which VM may be forcefully powered off.",
                Set.of(CLONE), fromTemplate("shutdown_timeout", q -> global(q, "default_shutdown_timeout")), QubeValidators.positive("shutdown_timeout"));
        add(t, "autostart", BOOL, "Setting this to True means that VM should be autostarted on dom0 boot.", Set.of(CLONE),
                constant("False"), Validator.none());
        add(t, "backup_timestamp", INT, "Time of last backup of the qube, in seconds since unix epoch", Set.of(), none(), Validator.none());
        add(t, "management_dispvm", VM, "Default disposable template for management tasks", Set.of(CLONE),
                fromTemplate("management_dispvm", q -> global(q, "management_dispvm")), QubeValidators::dispvmTemplate);
        add(t, "guivm", VM, "VM used for GUI", Set.of(CLONE), q -> global(q, "default_guivm"), Validator.none());
        add(t, "audiovm", VM, "VM used for audio", Set.of(CLONE), q -> global(q, "default_audiovm"), Validator.none());
        add(t, "installed_by_rpm", BOOL, "If this domain's image was installed from package tracked by package manager.",
                Set.of(), constant("False"), Validator.none());
        add(t, "bootmode", STR, "Boot mode of the qube, from its boot-mode.* features", Set.of(CLONE), constant("default"), Validator.none());
        add(t, "start_time", STR, "Tells when machine was started, in seconds since the epoch.", Set.of(READ_ONLY),
                q -> Optional.of(q.startTime()), Validator.none());
        add(t, "stubdom_xid", INT, "Hypervisor ID of the stub domain, -1 without one", Set.of(READ_ONLY), constant("-1"), Validator.none());
        if (c.canBeDispvmTemplate()) {
            add(t, "template_for_dispvms", BOOL, "Should this VM be allowed to start as Disposable VM", Set.of(CLONE),
                    constant("False"), QubeValidators::templateForDispvms);
        }
        if (c == QubeClass.DISP_VM) {
            add(t, "auto_cleanup", BOOL, "Automatically remove this VM upon shutdown", Set.of(), constant("False"), Validator.none());
            add(t, "dispid", INT, "Internal, persistent identifier of particular DispVM.", Set.of(WRITE_ONCE), none(), Validator.none());
        }
        return t;
    }

    static void add(Map<String, Property<Qube>> t, String name, PropertyType type, String help, Set<Flag> flags,
            Function<Qube, Optional<String>> def, Validator<Qube> v) {
        t.put(name, new Property<>(name, type, help, flags, def, v));
    }

    static Function<Qube, Optional<String>> none() {
        return q -> Optional.empty();
    }

    static Function<Qube, Optional<String>> constant(String value) {
        return q -> Optional.of(value);
    }

    static Optional<String> global(Qube q, String name) {
        return q.app().globals().effective(name);
    }

    /** The template's effective value when the qube has a template, else the fallback. */
    static Function<Qube, Optional<String>> fromTemplate(String name, Function<Qube, Optional<String>> fallback) {
        return q -> {
            Optional<Qube> t = q.template();
            return t.isPresent() ? Optional.of(t.get().get(name).text()) : fallback.apply(q);
        };
    }

    private static String flip(String bool) {
        return bool.equals("True") ? "False" : "True";
    }

    private static Optional<String> icon(Qube q) {
        String label = q.get("label").text();
        String kind = switch (q.klass()) {
            case ADMIN_VM -> "adminvm";
            case TEMPLATE_VM -> "templatevm";
            case DISP_VM -> "dispvm";
            case STANDALONE_VM -> q.boolProperty("template_for_dispvms") ? "templatevm" : "standalonevm";
            case APP_VM -> q.boolProperty("template_for_dispvms") ? "templatevm"
                    : q.features().isTrue("servicevm") ? "servicevm" : "appvm";
        };
        return Optional.of(kind + "-" + label);
    }

    private static Optional<String> keyboardLayout(Qube q) {
        if (q.klass() != QubeClass.ADMIN_VM) {
            Optional<Qube> guivm = q.effective("guivm").flatMap(q.app()::find);
            if (guivm.isPresent() && guivm.get() != q) {
                return Optional.of(guivm.get().get("keyboard_layout").text());
            }
        }
        return Optional.of("us++");
    }
}
