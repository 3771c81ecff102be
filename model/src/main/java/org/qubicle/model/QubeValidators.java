package org.qubicle.model;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.qubicle.model.exc.QubesPropertyValueError;
import org.qubicle.model.exc.QubesVMNotStartedError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.property.Property.Validator;

/** Setters of qube properties: the checks qubesd runs before a value is stored. */
final class QubeValidators {
    private static final Set<String> QUBES_VIRT_MODES = Set.of("hvm", "pv", "pvh");

    private QubeValidators() {
    }

    static Validator<Qube> positive(String name) {
        return (q, v) -> {
            if (Long.parseLong(v) <= 0) {
                throw new QubesPropertyValueError(name + " must be positive");
            }
            return v;
        };
    }

    static Validator<Qube> atLeastZero(String name) {
        return (q, v) -> {
            if (Long.parseLong(v) < 0) {
                throw new QubesPropertyValueError(name + " must be positive");
            }
            return v;
        };
    }

    static String qid(Qube q, String v) {
        long qid = Long.parseLong(v);
        if (qid < 0 || qid > Qubes.MAX_QID) {
            throw new QubesPropertyValueError("qid out of range");
        }
        return v;
    }

    static String template(Qube q, String v) {
        if (v.isEmpty()) {
            throw new QubesPropertyValueError("Template for " + q.name() + " cannot be None");
        }
        Qube t = q.app().find(v).orElseThrow();
        if (q.klass() == QubeClass.DISP_VM) {
            if (!t.klass().canBeDispvmTemplate() || !t.boolProperty("template_for_dispvms")) {
                throw new QubesPropertyValueError("Template " + v + " is not a disposable template (template_for_dispvms=False)");
            }
        } else if (t.klass() != QubeClass.TEMPLATE_VM) {
            throw new QubesPropertyValueError("Template for an AppVM must be a TemplateVM, not " + t.klass().wireName());
        }
        return v;
    }

    static String netvm(Qube q, String v) {
        if (v.isEmpty()) {
            return v;
        }
        Qube n = q.app().find(v).orElseThrow();
        if (!n.providesNetwork()) {
            throw new QubesPropertyValueError("The qube " + v + " does not provide network");
        }
        for (Optional<Qube> hop = Optional.of(n); hop.isPresent(); hop = hop.get().netvm()) {
            if (hop.get() == q) {
                throw new QubesPropertyValueError("Loops in network are unsupported");
            }
        }
        if (q.powerState().isStarted() && !n.powerState().isStarted()) {
            throw new QubesVMNotStartedError("Cannot dynamically attach to stopped qube " + v);
        }
        return v;
    }

    static String providesNetwork(Qube q, String v) {
        if (v.equals("False")) {
            for (Qube other : q.app().qubes()) {
                if (other != q && other.netvm().filter(n -> n == q).isPresent()) {
                    throw new QubesPropertyValueError("The qube " + q.name() + " is used as netvm by " + other.name()
                            + "; change that first");
                }
            }
        }
        return v;
    }

    static String dispvmTemplate(Qube q, String v) {
        if (!v.isEmpty()) {
            Qube t = q.app().find(v).orElseThrow();
            if (!t.klass().canBeDispvmTemplate() || !t.boolProperty("template_for_dispvms")) {
                throw new QubesPropertyValueError("VM " + v + " is not a disposable template (template_for_dispvms=False)");
            }
        }
        return v;
    }

    static String templateForDispvms(Qube q, String v) {
        if (v.equals("False")) {
            q.app().requireNoDispvmTemplateUsers(q);
        }
        return v;
    }

    static String mac(Qube q, String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new QubesValueError("Invalid MAC address value");
        }
        return lower;
    }

    static String virtMode(Qube q, String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (!QUBES_VIRT_MODES.contains(lower) && !q.app().host().virtModes().contains(lower)) {
            throw new QubesPropertyValueError("Invalid virtualization mode, supported modes: "
                    + String.join(", ", new TreeSet<>(q.app().host().virtModes())));
        }
        return lower;
    }

    static String kernel(Qube q, String v) {
        if (v.contains("/")) {
            throw new QubesPropertyValueError("Kernel name cannot contain '/'");
        }
        return v;
    }

    static String kernelopts(Qube q, String v) {
        if (v.length() > 512) {
            throw new QubesPropertyValueError("Kernel command line too long");
        }
        return v;
    }

    static String defaultUser(Qube q, String v) {
        if (!v.matches("[A-Za-z0-9_+,.-]+")) {
            throw new QubesPropertyValueError("Username can contain only alphanumeric characters and _+,.-");
        }
        return v;
    }

    static String keyboardLayout(Qube q, String v) {
        if (!v.matches("[A-Za-z]+\\+[A-Za-z0-9_-]*\\+[A-Za-z0-9_:,-]*")) {
            throw new QubesPropertyValueError("Invalid keyboard layout: " + v);
        }
        return v;
    }

    static String devicesDenied(Qube q, String v) {
        if (v.length() % 7 != 0 || !v.matches("([bump*][0-9a-f*]{6})*")) {
            throw new QubesPropertyValueError("Invalid devices_denied value");
        }
        TreeSet<String> codes = new TreeSet<>();
        for (int i = 0; i < v.length(); i += 7) {
            codes.add(v.substring(i, i + 7));
        }
        return String.join("", codes);
    }
}
