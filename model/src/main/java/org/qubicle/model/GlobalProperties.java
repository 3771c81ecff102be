package org.qubicle.model;

import static org.qubicle.model.property.Property.Flag.READ_ONLY;
import static org.qubicle.model.property.PropertyType.BOOL;
import static org.qubicle.model.property.PropertyType.INT;
import static org.qubicle.model.property.PropertyType.STR;
import static org.qubicle.model.property.PropertyType.VM;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.qubicle.model.exc.QubesPropertyValueError;
import org.qubicle.model.property.Property;
import org.qubicle.model.property.Property.Flag;
import org.qubicle.model.property.Property.Validator;
import org.qubicle.model.property.PropertyType;

/** The system's global properties ({@code qubes-prefs}, {@code admin.property.*}). */
public final class GlobalProperties extends PropertyBag<GlobalProperties> implements PropertyHolder {
    private static final Map<String, Property<GlobalProperties>> TABLE = Collections.unmodifiableMap(build());
    private final Qubes app;

    GlobalProperties(Qubes app) {
        this.app = app;
    }

    private static Map<String, Property<GlobalProperties>> build() {
        TreeMap<String, Property<GlobalProperties>> t = new TreeMap<>();
        add(t, "default_template", VM, "Default template for new AppVMs", g -> Optional.empty(), GlobalProperties::templateVm);
        add(t, "default_netvm", VM, "Default NetVM for AppVMs. Initial state is `None`, which means that AppVMs are not "
                + "connected to the Internet.", g -> Optional.empty(), GlobalProperties::netvm);
        add(t, "default_dispvm", VM, "Default DispVM base for service calls", g -> Optional.empty(), GlobalProperties::dispvm);
        add(t, "management_dispvm", VM, "Default DispVM base for managing VMs", g -> Optional.empty(), GlobalProperties::dispvm);
        add(t, "default_guivm", VM, "Default GUI VM for new qubes.", g -> Optional.of("dom0"), Validator.none());
        add(t, "default_audiovm", VM, "Default Audio VM for new qubes.", g -> Optional.of("dom0"), Validator.none());
        add(t, "updatevm", VM, "Which VM to use as `yum` proxy for updating AdminVM and TemplateVMs",
                g -> Optional.empty(), Validator.none());
        add(t, "clockvm", VM, "Which VM to use as NTP proxy for updating AdminVM", g -> Optional.empty(), Validator.none());
        add(t, "default_kernel", STR, "Which kernel to use when not overriden in VM", g -> Optional.empty(), GlobalProperties::kernel);
        add(t, "default_pool", STR, "Default storage pool", g -> g.app.defaultPoolName(), GlobalProperties::pool);
        for (String v : new String[] {"root", "private", "volatile", "kernel"}) {
            add(t, "default_pool_" + v, STR, "Default storage pool for " + v + " volumes",
                    g -> g.effective("default_pool"), GlobalProperties::pool);
        }
        add(t, "default_qrexec_timeout", INT, "Default time in seconds after which qrexec connection attempt is deemed failed",
                g -> Optional.of("60"), positive("default_qrexec_timeout"));
        add(t, "default_shutdown_timeout", INT, "Default time in seconds for VM shutdown to complete",
                g -> Optional.of("60"), positive("default_shutdown_timeout"));
        add(t, "stats_interval", INT, "Interval in seconds for VM stats reporting (memory, CPU usage)",
                g -> Optional.of("3"), positive("stats_interval"));
        add(t, "check_updates_vm", BOOL, "Check for updates inside qubes", g -> Optional.of("True"), Validator.none());
        t.put("maxmem", new Property<>("maxmem", INT, "Maximum memory of the host, in MiB", Set.of(READ_ONLY),
                g -> Optional.of(Long.toString(g.app.host().memoryMib())), Validator.none()));
        t.put("no_cpus", new Property<>("no_cpus", INT, "Number of CPUs of the host", Set.of(READ_ONLY),
                g -> Optional.of(Integer.toString(g.app.host().cpus())), Validator.none()));
        return t;
    }

    private static void add(Map<String, Property<GlobalProperties>> t, String name, PropertyType type, String help,
            Function<GlobalProperties, Optional<String>> def, Validator<GlobalProperties> v) {
        t.put(name, new Property<>(name, type, help, Set.<Flag>of(), def, v));
    }

    private static Validator<GlobalProperties> positive(String name) {
        return (g, v) -> {
            if (Long.parseLong(v) <= 0) {
                throw new QubesPropertyValueError(name + " must be positive");
            }
            return v;
        };
    }

    private static String templateVm(GlobalProperties g, String v) {
        if (!v.isEmpty() && g.app.find(v).orElseThrow().klass() != QubeClass.TEMPLATE_VM) {
            throw new QubesPropertyValueError("VM " + v + " is not a TemplateVM");
        }
        return v;
    }

    private static String netvm(GlobalProperties g, String v) {
        if (!v.isEmpty()) {
            Qube n = g.app.find(v).orElseThrow();
            if (!n.providesNetwork()) {
                throw new QubesPropertyValueError("The qube " + v + " does not provide network");
            }
            for (Qube q : g.app.qubes()) {
                if (q != n && !q.isSetSafe("netvm") && q.klass() != QubeClass.TEMPLATE_VM && q.klass() != QubeClass.ADMIN_VM) {
                    for (Optional<Qube> hop = Optional.of(n); hop.isPresent(); hop = hop.get().isSetSafe("netvm") ? hop.get().netvm() : Optional.empty()) {
                        if (hop.get() == q) {
                            throw new QubesPropertyValueError("Network loop on " + q.name() + ": default_netvm would route it through itself");
                        }
                    }
                }
            }
        }
        return v;
    }

    private static String dispvm(GlobalProperties g, String v) {
        if (!v.isEmpty()) {
            Qube t = g.app.find(v).orElseThrow();
            if (!t.klass().canBeDispvmTemplate() || !t.boolProperty("template_for_dispvms")) {
                throw new QubesPropertyValueError("VM " + v + " is not a disposable template (template_for_dispvms=False)");
            }
        }
        return v;
    }

    private static String kernel(GlobalProperties g, String v) {
        if (v.contains("/")) {
            throw new QubesPropertyValueError("Kernel name cannot contain '/'");
        }
        return v;
    }

    private static String pool(GlobalProperties g, String v) {
        if (g.app.pools().find(v).isEmpty()) {
            throw new QubesPropertyValueError("No such storage pool: " + v);
        }
        return v;
    }

    @Override
    Map<String, Property<GlobalProperties>> table() {
        return TABLE;
    }

    @Override
    GlobalProperties self() {
        return this;
    }

    @Override
    Qubes app0() {
        return app;
    }

    @Override
    String subject() {
        return "";
    }

    @Override
    public String holderName() {
        return "app";
    }

    @Override
    boolean isHalted() {
        return true;
    }
}
